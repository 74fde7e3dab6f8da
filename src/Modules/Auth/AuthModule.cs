using AuroraNode.Modules.Auth.Api;
using AuroraNode.Modules.Auth.Http;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Login;
using AuroraNode.Modules.Auth.Nodes;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Refresh;
using AuroraNode.Modules.Auth.Sessions;
using AuroraNode.Modules.Auth.Tokens;
using AuroraNode.Modules.Auth.Users;
using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Auth;

/// <summary>
/// Users, login, access and refresh tokens, sessions shared through Redis, the mesh's signing keys (sealed with
/// the mesh key in <c>auth.signing_keys</c>), and the nodes' keys: it tells every endpoint of the node who is
/// calling (<see cref="Http.CallerAuthenticationHandler"/>); the host's policies decide who may.
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
        services.AddSingleton(ReadLimits(config));

        // The mesh key is read when the key store starts, not here: `config check` builds this collection too.
        services.AddSingleton(sp => MeshKey.Load(sp.GetRequiredService<INodeCredentials>(), node));
        services.AddSingleton(sp => new SigningKeys(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton(sp => new AccessTokenValidator(sp.GetRequiredService<SigningKeys>(), sp.GetRequiredService<AccessTokenSettings>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<KeyStore>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyStore>());
        services.AddSingleton<IMeshSecretHolder, MeshKeyRotation>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionLiveness>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionLiveness>());
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SecurityEvents>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<NodeKeyCache>();
        services.AddSingleton<SeenSignatures>();
        services.AddSingleton<NodeAuthenticator>();
        services.AddHostedService<NodeKeyEnrollment>();
        services.AddAuthentication(AccessPolicies.Scheme).AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(AccessPolicies.Scheme, null);
        services.AddSingleton<UnavailableFilter>();
        services.AddSingleton<IModuleHealth, AuthHealth>();
        if (node.Roles.Contains(NodeRole.Lead))
        {
            services.AddHostedService<AdminBootstrap>();
        }
    }

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapAuthApi();

    internal static AuthLimits ReadLimits(ConfigReader config) => new(
        config.Int("login_max_failures", 5, 1, 1000),
        config.Duration("login_lockout", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1)),
        config.Int("login_rate_per_user", 10, 1, 100_000),
        config.Int("login_rate_per_address", 30, 1, 100_000),
        config.Duration("session_check_cache", TimeSpan.FromSeconds(1), TimeSpan.Zero),
        config.Duration("key_refresh", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100)));

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
