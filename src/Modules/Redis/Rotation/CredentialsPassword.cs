using AuroraNode.Modules.Credentials;
using StackExchange.Redis.Configuration;

namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>
/// The client's Redis password, read from <c>data_dir/credentials</c> each time a connection authenticates: after a
/// rotation the node's client reconnects with the new one without being rebuilt (its open connections stay as they are).
/// </summary>
internal sealed class CredentialsPassword(INodeCredentials credentials) : DefaultOptionsProvider
{
    public override string? Password => credentials.Get(CredentialKeys.RedisPassword);
}
