using System.Buffers.Text;
using AuroraNode.Modules.Credentials;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// The mesh key from <c>data_dir/credentials</c>: the lead generates it on its first start, the other nodes receive it
/// when they join (a node that uses the mesh's servers without joining generates its own). Its value never reaches a log.
/// </summary>
internal static class MeshKey
{
    public static KeyEncryption Load(INodeCredentials credentials, NodeContext node)
    {
        // The lead, and a node pointed at its servers directly (no mesh.lead_url), are the first of their mesh: they make it.
        var text = node.Roles.Contains(NodeRole.Lead) || node.LeadUrl is null
            ? credentials.GetOrCreate(CredentialKeys.AuthMeshKey)
            : credentials.Get(CredentialKeys.AuthMeshKey);
        if (text is null)
        {
            throw new StartupException(null, $"this node has no mesh key ({CredentialKeys.AuthMeshKey} in {node.DataDir}/credentials): it receives one when it joins; "
                + $"copy the value from the lead's credentials file if the node joined before the auth module existed");
        }

        return new KeyEncryption(Decode(text) ?? throw new StartupException(null, $"{CredentialKeys.AuthMeshKey} in {node.DataDir}/credentials is not {KeyEncryption.MeshKeyBytes} bytes of base64url; restore it from the lead's credentials file"));
    }

    /// <summary>The key's bytes from its stored form (base64url), or null when it is not 32 bytes of that.</summary>
    public static byte[]? Decode(string? text)
    {
        var bytes = new byte[KeyEncryption.MeshKeyBytes + 2];
        return text is not null && Base64Url.DecodeFromChars(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == KeyEncryption.MeshKeyBytes
            ? bytes[..written]
            : null;
    }
}
