using System.Security.Cryptography;
using System.Text;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// Seals a signing key's PKCS#8 bytes with AES-256-GCM under the mesh key for storage, as
/// <c>version(1) ‖ nonce(12) ‖ tag(16) ‖ ciphertext</c>. The kid is authenticated data, so a sealed key
/// copied onto another key's row does not open. When the mesh key is rotated (<see cref="Replace"/>) it seals with the
/// new key and still opens what the previous one sealed, for the moment the re-sealed rows take to replicate.
/// </summary>
internal sealed class KeyEncryption
{
    public const int MeshKeyBytes = 32;
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int HeaderBytes = 1 + NonceBytes + TagBytes;

    private volatile MeshKeys _keys;

    public KeyEncryption(ReadOnlySpan<byte> meshKey)
    {
        _keys = new MeshKeys(Checked(meshKey), null);
    }

    /// <summary>Seals with <paramref name="meshKey"/> from now on; what the current key sealed still opens.</summary>
    public void Replace(ReadOnlySpan<byte> meshKey)
    {
        var next = Checked(meshKey);
        var keys = _keys;
        if (!next.AsSpan().SequenceEqual(keys.Current))
        {
            _keys = new MeshKeys(next, keys.Current);
        }
    }

    private static byte[] Checked(ReadOnlySpan<byte> meshKey) => meshKey.Length == MeshKeyBytes
        ? meshKey.ToArray()
        : throw new ArgumentException($"the mesh key must be {MeshKeyBytes} bytes, got {meshKey.Length}", nameof(meshKey));

    public byte[] Seal(ReadOnlySpan<byte> pkcs8, string keyId)
    {
        var sealedKey = new byte[HeaderBytes + pkcs8.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys.Current, TagBytes);
        aes.Encrypt(nonce, pkcs8, sealedKey.AsSpan(HeaderBytes), sealedKey.AsSpan(1 + NonceBytes, TagBytes), Encoding.UTF8.GetBytes(keyId));
        return sealedKey;
    }

    /// <summary>The PKCS#8 bytes; throws <see cref="KeyDecryptionException"/> when the mesh key is wrong or the stored bytes were changed.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedKey, string keyId)
    {
        if (sealedKey.Length <= HeaderBytes || sealedKey[0] != Version)
        {
            throw new KeyDecryptionException(keyId, sealedKey.Length <= HeaderBytes ? "it is too short to be a sealed key" : $"its format version is {sealedKey[0]}, this node knows {Version}");
        }

        var pkcs8 = new byte[sealedKey.Length - HeaderBytes];
        var keys = _keys;
        foreach (var key in keys.Previous is null ? [keys.Current] : new[] { keys.Current, keys.Previous })
        {
            try
            {
                using var aes = new AesGcm(key, TagBytes);
                aes.Decrypt(sealedKey.Slice(1, NonceBytes), sealedKey[HeaderBytes..], sealedKey.Slice(1 + NonceBytes, TagBytes), pkcs8, Encoding.UTF8.GetBytes(keyId));
                return pkcs8;
            }
            catch (AuthenticationTagMismatchException)
            {
                // The other key, if any.
            }
        }

        throw new KeyDecryptionException(keyId, "the mesh key is not the one it was sealed with, or the stored bytes were altered");
    }

    private sealed record MeshKeys(byte[] Current, byte[]? Previous);
}
