namespace AuroraNode.Modules.Security;

/// <summary>One node's enrolled key.</summary>
/// <param name="PublicKey">Base64 SubjectPublicKeyInfo of its P-256 key.</param>
/// <param name="EnrolledAt">When it joined (or enrolled itself).</param>
/// <param name="RevokedAt">When an admin revoked it; its signed requests are refused from then on.</param>
public sealed record NodeKeyRecord(string PublicKey, DateTimeOffset EnrolledAt, DateTimeOffset? RevokedAt);
