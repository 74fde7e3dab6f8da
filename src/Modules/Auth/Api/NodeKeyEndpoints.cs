using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Login;
using AuroraNode.Modules.Auth.Nodes;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>
/// <c>POST /api/v1/nodes/{name}/revoke</c>: the node's signed calls are refused on every node from now on (within
/// <c>session_check_cache</c>); then what it received when it joined stops working: the mesh's Redis and PostgreSQL
/// passwords are rotated (its connections cut, its replication slot dropped) and the signing keys it could unseal are
/// replaced and dropped. Revoking a node again answers 200 with <c>already_revoked: true</c>: its rotation is repeated
/// only when it did not finish (nothing rotated, or a step failed), and finished when it is pending on this node. What
/// would break the mesh is refused first, with nothing changed (409): this node itself or the mesh's primary always,
/// the last Sentinels a Redis failover needs or a strict primary's only synchronous standby unless <c>?force=true</c>.
/// </summary>
internal static partial class NodeKeyEndpoints
{
    public static async Task<IResult> RevokeAsync(
        string name,
        bool? force,
        HttpContext http,
        IRedis redis,
        NodeKeyCache cache,
        SecurityEvents events,
        KeyStore keys,
        SigningKeys signingKeys,
        IServiceProvider services,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken ct)
    {
        var notFound = $"no node named '{name}' has a key in this mesh; GET /nodes lists the nodes";
        if (await NodeKeys.GetAsync(redis.Connection.GetDatabase(), name) is not { } record)
        {
            return Results.Problem(notFound, statusCode: StatusCodes.Status404NotFound);
        }

        var rotation = services.GetService(typeof(IMeshCredentialRotation)) as IMeshCredentialRotation;
        var logger = loggers.CreateLogger(typeof(NodeKeyEndpoints));
        var again = record.RevokedAt is not null;
        if (!again)
        {
            var risks = rotation is null ? [] : (await rotation.RisksAsync(name, ct)).Where(r => !r.Forcible || force != true).ToList();
            if (risks.Count > 0)
            {
                var reason = string.Join("; ", risks.Select(r => r.Reason));
                LogRefused(logger, name, reason);
                return Results.Problem(
                    risks.All(r => r.Forcible) ? $"{reason}; to revoke {name} anyway: aurora-node nodes revoke {name} --force" : reason,
                    title: $"revoking {name} now would harm the mesh; nothing was changed",
                    statusCode: StatusCodes.Status409Conflict);
            }
        }

        if (await NodeKeys.RevokeAsync(redis.Connection.GetDatabase(), name, time.GetUtcNow()) is not { } revoked)
        {
            return Results.Problem(notFound, statusCode: StatusCodes.Status404NotFound);
        }

        cache.Forget(name);
        if (!again)
        {
            await events.RaiseAsync("node_revoked", "warning", http.User.Identity?.Name ?? "?", AuthApi.ClientAddress(http), $"node {name} was revoked; its signed calls are refused everywhere", ct);
        }

        // A revocation whose rotation finished is not rotated again (another rotation would only replace the same
        // secrets once more); one that did not finish is, or its pending rotation is finished.
        object credentials;
        var keyBefore = signingKeys.Current.KeyId;
        var (replaceKeys, alreadyRotated) = (true, false);
        if (rotation is not null)
        {
            try
            {
                // Not the request's token: a client that gives up must not stop a rotation between the servers and the credentials file.
                var report = await rotation.RotateAsync(name, CancellationToken.None);
                credentials = report.AlreadyRotated
                    ? new { rotated = false, already_rotated = true, version = report.Version }
                    : new { rotated = true, version = report.Version, holders = report.Rotated, disconnected = report.Disconnected, warnings = report.Warnings };
                // Cutting the node off replaced the signing keys (the auth holder), unless that failed.
                (replaceKeys, alreadyRotated) = (!report.AlreadyRotated && signingKeys.Current.KeyId == keyBefore, report.AlreadyRotated);
            }
            catch (MeshRotationException ex)
            {
                LogRotationFailed(logger, name, ex.Message);
                credentials = new { rotated = false, error = $"{ex.Message}; revoke the node again to retry" };
            }
        }
        else
        {
            credentials = new { rotated = false, error = "the registry module is off on this node: revoke on a node that runs it to rotate the mesh's passwords" };
        }

        object signingKey = alreadyRotated
            ? new { rotated = false, already_rotated = true, kid = signingKeys.Current.KeyId }
            : new { rotated = true, kid = signingKeys.Current.KeyId };
        if (replaceKeys)
        {
            try
            {
                var current = await keys.RotateAsync(CancellationToken.None, dropRetired: true);
                signingKey = new { rotated = true, kid = current.KeyId };
            }
            catch (NpgsqlException ex)
            {
                LogKeysFailed(logger, name, ex.Message);
                signingKey = new { rotated = false, error = $"the signing keys could not be rotated ({ex.Message}); run `aurora-node auth rotate-keys` or revoke again" };
            }
        }

        return Results.Ok(new { node = name, revoked_at = revoked.RevokedAt, already_revoked = again, credentials, signing_key = signingKey });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to revoke node {Node}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string node, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revoked node {Node}, but the mesh's passwords were not rotated: {Reason}")]
    private static partial void LogRotationFailed(ILogger logger, string node, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revoked node {Node}, but the signing keys were not rotated: {Reason}")]
    private static partial void LogKeysFailed(ILogger logger, string node, string reason);
}
