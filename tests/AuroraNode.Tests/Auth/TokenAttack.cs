using AuroraNode.Modules.Auth.Tokens;

namespace AuroraNode.Tests.Auth;

/// <summary>One row of the attack table: how the token is forged and the refusal it must get.</summary>
internal sealed record TokenAttack(string Name, Func<TokenKit, string> Forge, TokenRefusal Expected)
{
    public override string ToString() => Name;
}
