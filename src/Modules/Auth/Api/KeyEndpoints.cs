using AuroraNode.Modules.Auth.Keys;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>The public keys (JWKS) and rotation.</summary>
internal static class KeyEndpoints
{
    public static IResult Jwks(KeyStore store, SigningKeys keys, NodeContext node) => store.IsLoaded
        ? Results.Text(Keys.Jwks.Write(keys.Snapshot), "application/json")
        : Results.Problem($"{node.Name} has not loaded the mesh's signing keys yet; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable);

    public static async Task<IResult> RotateAsync(KeyStore store, SigningKeys keys, CancellationToken ct)
    {
        var current = await store.RotateAsync(ct);
        return Results.Ok(new { kid = current.KeyId, keys = keys.Snapshot.Keys.Select(k => new { kid = k.KeyId, created_at = k.CreatedAt, retired_at = k.RetiredAt }) });
    }
}
