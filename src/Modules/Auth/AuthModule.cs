using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Refresh;
using AuroraNode.Modules.Auth.Tokens;
using AuroraNode.Modules.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Auth;

/// <summary>
/// Users, access and refresh tokens, and the mesh's signing keys. Not in the host's module catalog yet: the key store,
/// sessions in Redis and the endpoints come next.
/// </summary>
public sealed class AuthModule : IAuroraModule
{
    public string Name => "auth";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public IReadOnlyList<string> Requires => ["postgres", "redis", "eventbus"];

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = Read(config);
        services.AddSingleton(options);
        services.AddSingleton(new AccessTokenSettings(options.Issuer, options.Audience, options.AccessTokenTtl, options.ClockSkew));
        services.AddSingleton(new PasswordHasher(PasswordHashParameters.Owasp));
        services.AddSingleton(sp => new RefreshRotation(options.RefreshTokenTtl, options.RefreshReuseGrace, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(AuthSchema.Migrations);
    }

    internal static AuthOptions Read(ConfigReader config)
    {
        var options = new AuthOptions(
            config.Duration("access_token_ttl", TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(10)),
            config.Duration("refresh_token_ttl", TimeSpan.FromDays(7), TimeSpan.FromMinutes(1)),
            config.Duration("refresh_reuse_grace", TimeSpan.FromSeconds(10), TimeSpan.Zero),
            config.Duration("clock_skew", TimeSpan.FromSeconds(30), TimeSpan.Zero),
            config.Duration("key_rotation", TimeSpan.FromDays(30), TimeSpan.FromMinutes(1)),
            config.String("issuer", "aurora-node")!,
            config.String("audience", "aurora-node")!);
        if (options.RefreshTokenTtl <= options.AccessTokenTtl)
        {
            config.Error("refresh_token_ttl", $"must be longer than access_token_ttl ({Durations.Format(options.AccessTokenTtl)}), or every refresh hands out a token that outlives its refresh token");
        }

        if (options.RefreshReuseGrace > TimeSpan.FromMinutes(1))
        {
            config.Error("refresh_reuse_grace", $"must be at most 1m, got {Durations.Format(options.RefreshReuseGrace)}: it is how long a stolen refresh token can be replayed without revoking the session");
        }

        if (options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            config.Error("clock_skew", $"must be at most 5m, got {Durations.Format(options.ClockSkew)}; fix the nodes' clocks (NTP) instead");
        }

        if (options.KeyRotation <= options.KeepRetiredKeys)
        {
            config.Error("key_rotation", $"must be longer than access_token_ttl + clock_skew ({Durations.Format(options.KeepRetiredKeys)}), or more than two keys are live at once");
        }

        return options;
    }
}
