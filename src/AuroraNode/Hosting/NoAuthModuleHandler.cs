using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AuroraNode.Hosting;

/// <summary>With the auth module disabled nobody can be checked, so every endpoint that needs a caller refuses, saying why.</summary>
internal sealed class NoAuthModuleHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Results.Problem("this node's auth module is disabled (modules.auth.enabled: false), so it can check no caller and serves only /health: enable it", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => HandleChallengeAsync(properties);
}
