using System.Net;
using System.Security.Cryptography;
using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Credentials;
using IRedis = AuroraNode.Modules.Redis.IRedis;
using AuroraNode.Modules.Registry.Joining;
using AuroraNode.Modules.Registry.Nodes;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.Api;

/// <summary>
/// Joining the mesh: the lead (or the backup) issues join tokens, and a new node trades one for what it needs to
/// take part — the Redis address and password, the primary PostgreSQL's address and passwords (the node's own
/// server becomes its replica), the mesh's identity and its own key.
/// </summary>
internal static partial class JoinApi
{
    private static readonly TimeSpan MaxTtl = TimeSpan.FromDays(30);

    public static void MapJoinApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/join-tokens", CreateTokenAsync).RequireAuthorization(AccessPolicies.Admin);
        // The join token is the credential here.
        app.MapPost("/api/v1/join", JoinAsync).AllowAnonymous();
    }

    private static async Task<IResult> CreateTokenAsync(CreateJoinTokenRequest? request, JoinTokens tokens, NodeContext node)
    {
        if (NotServedHere(node) is { } notServed)
        {
            return notServed;
        }

        var ttl = TimeSpan.FromHours(1);
        if (request?.Ttl is { } text && (!Durations.TryParse(text, out ttl) || ttl < TimeSpan.FromSeconds(1) || ttl > MaxTtl))
        {
            return Results.Problem($"\"ttl\" must be a duration from 1s to 30d, like 15m or 1h; got '{text}'", statusCode: 400);
        }

        string? forRole = null;
        if (request?.Role is { } role)
        {
            if (!NodeRoles.TryParse(role, out var parsed) || parsed == NodeRole.Lead)
            {
                return Results.Problem($"\"role\" must be backup, compute or edge (the mesh has its lead); got '{role}'", statusCode: 400);
            }

            forRole = parsed.ToConfigName();
        }

        if (request?.Uses is < 1 or > 1000)
        {
            return Results.Problem($"\"uses\" must be from 1 to 1000; got {request.Uses}", statusCode: 400);
        }

        try
        {
            var (token, info) = await tokens.CreateAsync(forRole, ttl, request?.Uses ?? 1);
            return Results.Json(new { token, id = info.Id, role = info.Role, uses = info.Uses, expires_at = info.ExpiresAt, lead_url = node.AdvertiseUrl }, statusCode: 201);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return RedisUnreachable(node, ex);
        }
    }

    private static async Task<IResult> JoinAsync(
        JoinRequest? request,
        HttpContext http,
        JoinTokens tokens,
        NodeStore store,
        RegistryOptions options,
        IRedis redis,
        INodeCredentials credentials,
        NodeContext node,
        IServiceProvider services,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        if (NotServedHere(node) is { } notServed)
        {
            return notServed;
        }

        if (Invalid(request) is { } invalid)
        {
            return Results.Problem(invalid, statusCode: 400);
        }

        var logger = loggers.CreateLogger(typeof(JoinApi));
        var from = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        var name = request!.Name!;
        try
        {
            var snapshot = await store.ReadAsync();
            var now = time.GetUtcNow();
            if (snapshot.Nodes.Any(n => n.Node.Name == name && NodeStatus.Of(n.Node.State, n.LastSeen, now, options) is NodeStatus.Active))
            {
                LogRefused(logger, name, from, JoinTokens.Id(request.Token!), "a node of that name is active");
                return Results.Problem($"a node named '{name}' is active in the mesh; give this node another node.name, or let that one leave first", statusCode: 409);
            }

            var check = await tokens.UseAsync(request.Token!, name, request.Roles!.Select(r => r.Trim().ToLowerInvariant()));
            if (!check.Accepted)
            {
                LogRefused(logger, name, from, JoinTokens.Id(request.Token!), check.Refusal!);
                return Results.Problem(check.Refusal, statusCode: 403);
            }

            await NodeKeys.EnrollAsync(redis.Connection.GetDatabase(), name, request.PublicKey!, now);
            var address = redis.AddressForOtherNodes;
            var granted = new Dictionary<string, string>
            {
                [CredentialKeys.MeshId] = credentials.GetOrCreate(CredentialKeys.MeshId),
                [CredentialKeys.RedisUrl] = $"redis://{address.Endpoint}",
            };
            // Signing keys are sealed with the mesh key: without it a node can neither sign nor verify tokens.
            var meshKey = node.Roles.Contains(NodeRole.Lead) ? credentials.GetOrCreate(CredentialKeys.AuthMeshKey) : credentials.Get(CredentialKeys.AuthMeshKey);
            if (meshKey is not null)
            {
                granted[CredentialKeys.AuthMeshKey] = meshKey;
            }

            if (address.Sentinels.Count > 0)
            {
                granted[CredentialKeys.RedisSentinels] = string.Join(',', address.Sentinels);
            }

            if (address.Password is { } redisPassword)
            {
                granted[CredentialKeys.RedisPassword] = redisPassword;
            }

            // A replica is a copy of the primary: it needs the primary's address and its superuser's password.
            if (services.GetService<Modules.Data.IDatabase>()?.AddressForOtherNodes is { } primary
                && credentials.Get(CredentialKeys.ReplicationPassword) is { } replication
                && credentials.Get(CredentialKeys.SuperuserPassword) is { } superuser)
            {
                granted[CredentialKeys.PostgresPrimary] = primary;
                granted[CredentialKeys.ReplicationPassword] = replication;
                granted[CredentialKeys.SuperuserPassword] = superuser;
            }

            // Which rotation of the mesh's passwords the node receives: it fetches newer ones after the next.
            if (credentials.Get(CredentialKeys.MeshCredentialsVersion) is { } version)
            {
                granted[CredentialKeys.MeshCredentialsVersion] = version;
            }

            LogJoined(logger, name, from, JoinTokens.Id(request.Token!));
            return Results.Json(new { mesh_id = granted[CredentialKeys.MeshId], lead = node.Name, node = name, credentials = granted });
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return RedisUnreachable(node, ex);
        }
    }

    private static IResult RedisUnreachable(NodeContext node, Exception ex) =>
        Results.Problem($"the mesh's Redis is unreachable from {node.Name} ({ex.Message}); try again shortly", statusCode: 503);

    private static IResult? NotServedHere(NodeContext node) => node.HasAnyRole(NodeRoles.Core)
        ? null
        : Results.Problem($"{node.Name} is not the lead or the backup and serves no joins; use the lead's API", statusCode: 409);

    private static string? Invalid(JoinRequest? request)
    {
        if (request?.Token is not { Length: > 0 and <= 200 })
        {
            return "the body needs the \"token\" that `aurora-node join-token create` printed on the lead";
        }

        if (request.Name is not { } name || !NodeNames.Valid().IsMatch(name))
        {
            return $"the body needs the node's \"name\": {NodeNames.Rule}";
        }

        var roles = new List<NodeRole>();
        foreach (var text in request.Roles ?? [])
        {
            if (!NodeRoles.TryParse(text, out var role))
            {
                return $"unknown role '{text}' in \"roles\"; use backup, compute or edge";
            }

            roles.Add(role);
        }

        using var publicKey = NodeKeys.ParsePublicKey(request.PublicKey);
        if (publicKey is null)
        {
            return "the body needs the node's \"public_key\": its P-256 public key as base64 SubjectPublicKeyInfo (aurora-node sends it)";
        }

        return roles.Count == 0 ? "\"roles\" must list the node's roles: backup, compute or edge"
            : roles.Contains(NodeRole.Lead) ? "a node with the lead role can't join: the mesh has its lead"
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a join of node {Node} from {Address} with token {TokenId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string node, string address, string tokenId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} joined the mesh from {Address} with token {TokenId}")]
    private static partial void LogJoined(ILogger logger, string node, string address, string tokenId);
}
