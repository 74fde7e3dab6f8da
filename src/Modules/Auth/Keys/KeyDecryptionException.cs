namespace AuroraNode.Modules.Auth.Keys;

/// <summary>A stored signing key that does not open under this node's mesh key.</summary>
internal sealed class KeyDecryptionException(string keyId, string reason)
    : Exception($"signing key {keyId} cannot be decrypted: {reason}; check that this node has the mesh's key (data_dir/credentials)")
{
    public string KeyId { get; } = keyId;
}
