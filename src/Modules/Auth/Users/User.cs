namespace AuroraNode.Modules.Auth.Users;

/// <summary>A row of <c>auth.users</c>.</summary>
internal sealed record User(Guid Id, string Username, string PasswordHash, string[] Roles, bool Disabled, DateTime CreatedAt, DateTime UpdatedAt, DateTime PasswordChangedAt)
{
    public const string AdminRole = "admin";
    public const string UserRole = "user";

    public bool IsAdmin => Roles.Contains(AdminRole);
}
