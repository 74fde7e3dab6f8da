namespace AuroraNode.Modules.Auth.Users;

/// <summary>A row of <c>auth.users</c> (settable properties: Dapper maps <c>text[]</c> only onto a property, not a constructor).</summary>
internal sealed record User
{
    public const string AdminRole = "admin";
    public const string UserRole = "user";

    public Guid Id { get; init; }

    public string Username { get; init; } = "";

    public string PasswordHash { get; init; } = "";

    public string[] Roles { get; init; } = [];

    public bool Disabled { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    public DateTime PasswordChangedAt { get; init; }

    public bool IsAdmin => Roles.Contains(AdminRole);
}
