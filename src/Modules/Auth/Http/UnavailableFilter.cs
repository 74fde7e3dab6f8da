using Microsoft.AspNetCore.Http;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>Turns an unreachable Redis or PostgreSQL into a 503 with the reason, instead of a 500.</summary>
internal sealed class UnavailableFilter(NodeContext node) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or TimeoutException)
        {
            return Results.Problem($"the mesh's Redis is unreachable from {node.Name} ({ex.Message}); try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            return Results.Problem($"{node.Name} cannot reach its database ({ex.Message}); try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
