using System.Security.Cryptography;
using AuroraNode.Modules.Security;

namespace AuroraNode.Tests.TestKit;

/// <summary>Node keys for tests that join or sign by hand, as a node that is not running would.</summary>
public static class TestKeys
{
    /// <summary>A fresh P-256 public key as a join request carries it (base64 SubjectPublicKeyInfo).</summary>
    public static string NewPublicKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>A fresh key that signs as <paramref name="node"/> (enrolled nowhere).</summary>
    public static NodeSigningKey NewSigningKey(string node)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return NodeSigningKey.Load(Convert.ToBase64String(key.ExportPkcs8PrivateKey()), node);
    }
}
