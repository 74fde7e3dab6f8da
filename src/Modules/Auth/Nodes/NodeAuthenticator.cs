using System.Security.Cryptography;
using AuroraNode.Modules.Auth.Login;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;
using StackExchange.Redis;

namespace AuroraNode.Modules.Auth.Nodes;

/// <summary>
/// Checks a request signed with <see cref="NodeSignature"/>: the time within <c>clock_skew</c>, the node enrolled
/// and not revoked, the signature over method, this node's address as the caller wrote it (Host), target and body,
/// and not seen before. Requests this node signed
/// itself (its operator's CLI) are checked against its own key and need no Redis.
/// </summary>
internal sealed class NodeAuthenticator(NodeKeyCache keys, SeenSignatures seen, NodeSigningKey self, AuthOptions options, SecurityEvents events, TimeProvider time)
{
    private const long MaxSignedBody = 1024 * 1024;

    public async Task<(NodeCaller? Caller, IResult? Refusal)> AuthenticateAsync(HttpContext http, string parameters, CancellationToken ct)
    {
        if (NodeSignature.Parse(parameters) is not { } parts)
        {
            return Refused(http, "the AuroraNode authorization must be node=\"NAME\", ts=\"UNIX-SECONDS\", sig=\"BASE64URL\"");
        }

        var signedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(parts.UnixSeconds, 0, 253402300799));
        var now = time.GetUtcNow();
        if ((now - signedAt).Duration() > options.ClockSkew)
        {
            return Refused(http, $"the request was signed at {signedAt:u} but this node's clock says {now:u}: more than clock_skew apart (check NTP on both nodes)");
        }

        var isSelf = parts.Node == self.Node;
        ECDsa? key;
        if (isSelf)
        {
            key = self.PublicEcdsa;
        }
        else
        {
            NodeKeyRecord? record;
            try
            {
                (record, key) = await keys.GetAsync(parts.Node);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return (null, Results.Problem($"{self.Node} cannot check node {parts.Node}'s key: the mesh's Redis does not answer; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable));
            }

            if (record?.RevokedAt is { } revokedAt)
            {
                await events.RaiseAsync("revoked_node_call", "warning", parts.Node, Client(http), $"node {parts.Node} (revoked at {revokedAt:u}) called {http.Request.Method} {http.Request.Path}", ct);
                return Refused(http, $"node {parts.Node} was revoked at {revokedAt:u}: its calls are refused; join it again with a new token to restore it");
            }

            if (key is null)
            {
                return Refused(http, $"node {parts.Node} has no key enrolled in this mesh: it has not joined (or joined before nodes had keys; join it again)");
            }
        }

        var body = await ReadBodyAsync(http, ct);
        if (body is null)
        {
            return (null, Results.Problem($"a signed request's body may be at most {MaxSignedBody / 1024} KiB", statusCode: StatusCodes.Status413PayloadTooLarge));
        }

        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
        if (!NodeSignature.Verify(key, parts, http.Request.Method, http.Request.Host.Value ?? "", target, body))
        {
            return Refused(http, $"the signature does not match node {parts.Node}'s key for {http.Request.Method} {http.Request.Host}{target} with this body");
        }

        if (!seen.TryAdd(Convert.ToBase64String(parts.Signature), options.ClockSkew))
        {
            return Refused(http, "this signed request was sent before: sign each request anew");
        }

        return (new NodeCaller(parts.Node, isSelf), null);
    }

    // The endpoint reads the body after this; it is buffered here and rewound.
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxSignedBody;
        if (http.Request.ContentLength > limit)
        {
            return null;
        }

        http.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit);
        using var copy = new MemoryStream();
        try
        {
            await http.Request.Body.CopyToAsync(copy, ct);
        }
        catch (IOException)
        {
            return null; // Over the buffer limit.
        }

        http.Request.Body.Position = 0;
        return copy.ToArray();
    }

    private static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "?";

    private static (NodeCaller?, IResult?) Refused(HttpContext http, string detail)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = $"{NodeSignature.Scheme} error=\"invalid_signature\"";
        return (null, Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized));
    }
}
