using System.Security.Cryptography;
using AuroraNode.Modules.Credentials;

namespace AuroraNode.Modules.Security;

/// <summary>
/// The node's own P-256 key (<c>node.signing_key</c> in <c>data_dir/credentials</c>): made on the node's first
/// start, its public half enrolled with the mesh when the node joins (the lead enrolls its own).
/// </summary>
public sealed class NodeSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private NodeSigningKey(string node, ECDsa key)
    {
        Node = node;
        _key = key;
        PublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        PublicEcdsa = ECDsa.Create();
        PublicEcdsa.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    /// <summary>The node whose key this is.</summary>
    public string Node { get; }

    /// <summary>The public key as base64 SubjectPublicKeyInfo, the form <see cref="NodeKeys"/> stores.</summary>
    public string PublicKey { get; }

    /// <summary>The public half alone, to verify what this node signed.</summary>
    public ECDsa PublicEcdsa { get; }

    /// <summary>The node's key from its credentials; a new one is made and saved first when there is none.</summary>
    public static NodeSigningKey LoadOrCreate(INodeCredentials credentials, string node)
    {
        if (credentials.Get(CredentialKeys.NodeSigningKey) is not { } stored)
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            stored = Convert.ToBase64String(fresh.ExportPkcs8PrivateKey());
            credentials.Set(CredentialKeys.NodeSigningKey, stored);
        }

        return Load(stored, node);
    }

    /// <summary>The key stored as base64 PKCS#8 (as in the credentials file).</summary>
    public static NodeSigningKey Load(string pkcs8Base64, string node)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8Base64), out _);
        return new NodeSigningKey(node, key);
    }

    /// <summary>The Authorization header value (scheme included) for a request to <paramref name="url"/> (absolute) with this body.</summary>
    public string Authorization(string method, Uri url, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        $"{NodeSignature.Scheme} {NodeSignature.Sign(_key, Node, now.ToUnixTimeSeconds(), method, url.Authority, url.PathAndQuery, body)}";

    /// <inheritdoc/>
    public void Dispose()
    {
        _key.Dispose();
        PublicEcdsa.Dispose();
    }
}
