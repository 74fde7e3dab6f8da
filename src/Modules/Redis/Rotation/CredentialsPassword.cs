using AuroraNode.Modules.Credentials;
using StackExchange.Redis.Configuration;

namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>
/// The client's Redis password, read from <c>data_dir/credentials</c> each time a connection authenticates: after a
/// rotation the node's client reconnects with the new one without being rebuilt (its open connections stay as they are).
/// While a rotation this node started is pending and not running (<see cref="PendingRotation"/>: the node was killed
/// midway, or a step's outcome is unknown), the servers may take the current or the planned password: the first of
/// <paramref name="endpoints"/> (the Sentinels it asks, or its server) that answers tells which, over a short
/// connection of its own, remembered for a few seconds. The Sentinels change last, so one that takes the planned
/// password means the master does too.
/// </summary>
internal sealed class CredentialsPassword(INodeCredentials credentials, Func<IReadOnlyList<string>> endpoints, TimeProvider time) : DefaultOptionsProvider
{
    private readonly TakenPassword _taken = new(time);

    public override string? Password
    {
        get
        {
            var current = credentials.Get(CredentialKeys.RedisPassword);
            if (current is null || PendingRotation.OtherValue(credentials, CredentialKeys.RedisPassword) is not { } planned)
            {
                return current;
            }

            if (_taken.Recall(current, planned) is { } recalled)
            {
                return recalled;
            }

            var taken = Probe(current, planned);
            if (taken is not null)
            {
                _taken.Remember(taken);
            }

            return taken ?? current;
        }
    }

    // The password the first answering endpoint takes; null when none answers.
    private string? Probe(string current, string planned)
    {
        foreach (var endpoint in endpoints())
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var (resp, index) = RespConnection.OpenAsync(endpoint, [current, planned], timeout.Token).GetAwaiter().GetResult();
                if (resp is null)
                {
                    continue;
                }

                resp.DisposeAsync().AsTask().GetAwaiter().GetResult();
                return index == 0 ? current : planned;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                // Away: the next one may answer.
            }
        }

        return null;
    }
}
