namespace AuroraNode.Modules.Auth.Api;

internal sealed record LoginRequest(string? Username, string? Password);

internal sealed record RefreshRequest(string? RefreshToken);

internal sealed record CreateUserRequest(string? Username, string? Password, string[]? Roles);

internal sealed record UpdateUserRequest(bool? Disabled, string[]? Roles);

internal sealed record PasswordRequest(string? Password, string? CurrentPassword);

/// <summary>What login and refresh answer (OAuth 2.0 token response names).</summary>
internal sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);
