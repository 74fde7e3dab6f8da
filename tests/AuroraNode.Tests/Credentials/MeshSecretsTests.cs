using AuroraNode.Modules.Credentials;

namespace AuroraNode.Tests.Credentials;

public sealed class MeshSecretsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    [TestCase(0L, 1_800_000_000_000L, TestName = "NextVersion_FirstRotation_IsTheTimeInMilliseconds")]
    [TestCase(1_700_000_000_000L, 1_800_000_000_000L, TestName = "NextVersion_EarlierRotation_IsTheTime")]
    [TestCase(1_800_000_000_000L, 1_800_000_000_001L, TestName = "NextVersion_SameMillisecond_OneMore")]
    [TestCase(1_900_000_000_000L, 1_900_000_000_001L, TestName = "NextVersion_ClockWentBack_StillLater")]
    public void NextVersion_AlwaysLaterThanTheCurrent(long current, long expected)
    {
        Assert.That(MeshSecrets.NextVersion(current, Now), Is.EqualTo(expected));
    }

    [TestCase(null, 0L)]
    [TestCase("", 0L)]
    [TestCase("abc", 0L)]
    [TestCase("-5", 0L)]
    [TestCase("1800000000000", 1_800_000_000_000L)]
    public void ParseVersion_AbsentOrNotANumber_IsZero(string? text, long expected)
    {
        Assert.That(MeshSecrets.ParseVersion(text), Is.EqualTo(expected));
    }

    [Test]
    public void Renewed_EveryKeyGetsANewStrongValue()
    {
        var old = new MeshSecrets(1, MeshSecrets.Keys.ToDictionary(k => k, _ => "old-value"));

        var next = old.Renewed(2);

        Assert.That(next.Version, Is.EqualTo(2));
        Assert.That(next.Values.Keys, Is.EquivalentTo(MeshSecrets.Keys));
        Assert.That(next.Values.Values, Has.All.Length.EqualTo(43).And.Not.EqualTo("old-value"));
        Assert.That(next.Values.Values.Distinct().Count(), Is.EqualTo(MeshSecrets.Keys.Count), "one password per secret");
    }

    [Test]
    public void WithValuesOf_AFailedHolderKeepsItsOldValues_OthersTheNewOnes()
    {
        var old = new MeshSecrets(1, MeshSecrets.Keys.ToDictionary(k => k, k => "old-" + k));
        var next = old.Renewed(2);

        var kept = next.WithValuesOf(old, [CredentialKeys.SuperuserPassword, CredentialKeys.ReplicationPassword]);

        Assert.Multiple(() =>
        {
            Assert.That(kept[CredentialKeys.RedisPassword], Is.EqualTo(next[CredentialKeys.RedisPassword]));
            Assert.That(kept[CredentialKeys.SuperuserPassword], Is.EqualTo("old-" + CredentialKeys.SuperuserPassword));
            Assert.That(kept[CredentialKeys.ReplicationPassword], Is.EqualTo("old-" + CredentialKeys.ReplicationPassword));
            Assert.That(kept.Version, Is.EqualTo(2));
        });
    }

    [Test]
    public void ToCredentials_HoldsTheValuesAndTheVersion_ToStringNoValue()
    {
        var secrets = new MeshSecrets(0, new Dictionary<string, string>()).Renewed(42);

        var stored = secrets.ToCredentials();

        Assert.That(stored[CredentialKeys.MeshCredentialsVersion], Is.EqualTo("42"));
        Assert.That(stored.Keys, Is.EquivalentTo(MeshSecrets.Keys.Append(CredentialKeys.MeshCredentialsVersion)));
        Assert.That(secrets.ToString(), Does.Contain("42"));
        foreach (var value in secrets.Values.Values)
        {
            Assert.That(secrets.ToString(), Does.Not.Contain(value));
        }
    }

    [Test]
    public void Parse_EndpointAnswer_KeepsOnlyTheMeshKeys()
    {
        var parsed = MeshSecretsClient.Parse("""{"version": 7, "credentials": {"redis.password": "r", "postgres.superuser_password": "s", "node.signing_key": "x", "postgres.replication_password": ""}}""");

        Assert.That(parsed, Is.Not.Null);
        Assert.That(parsed!.Version, Is.EqualTo(7));
        Assert.That(parsed.Values, Is.EquivalentTo(new Dictionary<string, string> { ["redis.password"] = "r", ["postgres.superuser_password"] = "s" }));
    }

    [TestCase("not json")]
    [TestCase("{}")]
    [TestCase("""{"version": "7", "credentials": {}}""")]
    [TestCase("""{"version": 7, "credentials": []}""")]
    public void Parse_NotTheEndpointsShape_IsNull(string json)
    {
        Assert.That(MeshSecretsClient.Parse(json), Is.Null);
    }
}
