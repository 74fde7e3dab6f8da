namespace AuroraNode.Modules.Auth.Keys;

/// <summary>The key set at one moment: readers take it whole, so a rotation never shows them half a change.</summary>
/// <param name="Current">The key that signs.</param>
/// <param name="Keys">Every key that verifies, the current one first.</param>
/// <param name="Version">Grows with every change; caches of verified tokens compare it.</param>
internal sealed record KeySnapshot(SigningKey Current, SigningKey[] Keys, long Version)
{
    public SigningKey? Find(string keyId) => Array.Find(Keys, k => k.KeyId == keyId);
}
