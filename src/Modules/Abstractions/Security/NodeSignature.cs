using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AuroraNode.Modules.Security;

/// <summary>
/// How a node signs its HTTP requests to other nodes (and its operator's CLI to the node itself): ES256 over the
/// node's name, the time, the method, the node it calls (host:port), the path with its query and the SHA-256 of
/// the body, sent as
/// <c>Authorization: AuroraNode node="NAME", ts="UNIX-SECONDS", sig="BASE64URL"</c>. Receivers verify with the
/// public key the node enrolled when it joined (<see cref="NodeKeys"/>); the private key never leaves the node.
/// </summary>
public static class NodeSignature
{
    /// <summary>The Authorization scheme of a signed request.</summary>
    public const string Scheme = "AuroraNode";

    private const string Version = "AURORA-NODE-V1";

    /// <summary>The text that is signed.</summary>
    public static byte[] Payload(string node, long unixSeconds, string method, string authority, string pathAndQuery, ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetBytes(string.Join('\n',
            Version,
            node,
            unixSeconds.ToString(CultureInfo.InvariantCulture),
            method.ToUpperInvariant(),
            authority.ToLowerInvariant(),
            pathAndQuery,
            Base64Url.EncodeToString(SHA256.HashData(body))));

    /// <summary>The Authorization header value (after the scheme) for a request.</summary>
    public static string Sign(ECDsa key, string node, long unixSeconds, string method, string authority, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        var signature = key.SignData(Payload(node, unixSeconds, method, authority, pathAndQuery, body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"node=\"{node}\", ts=\"{unixSeconds.ToString(CultureInfo.InvariantCulture)}\", sig=\"{Base64Url.EncodeToString(signature)}\"";
    }

    /// <summary>True when <paramref name="parts"/> is the signature of this request by <paramref name="publicKey"/>.</summary>
    public static bool Verify(ECDsa publicKey, Parts parts, string method, string authority, string pathAndQuery, ReadOnlySpan<byte> body) =>
        publicKey.VerifyData(Payload(parts.Node, parts.UnixSeconds, method, authority, pathAndQuery, body), parts.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Reads the header value after the scheme; null when it is not <c>node="…", ts="…", sig="…"</c>.</summary>
    public static Parts? Parse(string parameters)
    {
        string? node = null, ts = null, sig = null;
        foreach (var part in parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || part.Length < eq + 3 || part[eq + 1] != '"' || part[^1] != '"')
            {
                return null;
            }

            var value = part[(eq + 2)..^1];
            switch (part[..eq])
            {
                case "node": node = value; break;
                case "ts": ts = value; break;
                case "sig": sig = value; break;
                default: return null;
            }
        }

        if (node is not { Length: > 0 and <= 64 } || !long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || sig is null)
        {
            return null;
        }

        var bytes = new byte[64];
        return Base64Url.DecodeFromChars(sig, bytes, out var consumed, out var written) == OperationStatus.Done && consumed == sig.Length && written == 64
            ? new Parts(node, unix, bytes)
            : null;
    }

    /// <summary>What a signed request's header says.</summary>
    /// <param name="Node">The node that says it signed.</param>
    /// <param name="UnixSeconds">When it signed.</param>
    /// <param name="Signature">The 64-byte ES256 signature.</param>
    public sealed record Parts(string Node, long UnixSeconds, byte[] Signature);
}
