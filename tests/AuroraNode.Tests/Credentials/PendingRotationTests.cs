using AuroraNode.Hosting;
using AuroraNode.Modules.Credentials;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Credentials;

/// <summary>The pending rotation's entries in a real credentials file: saved, read back, offered to clients, removed.</summary>
public sealed class PendingRotationTests
{
    private TempDirectory _temp = null!;
    private NodeCredentials _credentials = null!;

    [SetUp]
    public void CreateCredentialsFile()
    {
        _temp = new TempDirectory();
        _credentials = new NodeCredentials(_temp.Path);
        _credentials.SetAll(new MeshSecrets(5, MeshSecrets.Keys.ToDictionary(k => k, k => "current-" + k)).ToCredentials());
    }

    [TearDown]
    public void RemoveIt() => _temp.Dispose();

    [Test]
    public void Read_NothingPending_IsNull_AndClientsGetNoOtherPassword()
    {
        Assert.That(PendingRotation.Read(_credentials), Is.Null);
        Assert.That(PendingRotation.OtherValue(_credentials, CredentialKeys.RedisPassword), Is.Null);
    }

    [Test]
    public void ToCredentials_ReadBack_SameRotation_CurrentValuesUntouched()
    {
        var pending = new PendingRotation(MeshSecrets.Read(_credentials).Renewed(6), "compute1", "token");

        _credentials.SetAll(pending.ToCredentials(running: false));
        var read = PendingRotation.Read(_credentials)!;

        Assert.Multiple(() =>
        {
            Assert.That(read.RevokedNode, Is.EqualTo("compute1"));
            Assert.That(read.LockToken, Is.EqualTo("token"));
            Assert.That(read.Planned.Version, Is.EqualTo(6));
            Assert.That(read.Planned.Values, Is.EquivalentTo(pending.Planned.Values));
            Assert.That(MeshSecrets.Read(_credentials).Values.Values, Has.All.StartsWith("current-"));
            Assert.That(read.ToString(), Does.Not.Contain(pending.Planned[CredentialKeys.RedisPassword]));
        });
    }

    [TestCase(false, true, TestName = "OtherValue_PendingLeftByAnotherProcessOrAFailedStep_OfferedToClients")]
    [TestCase(true, false, TestName = "OtherValue_RotationRunningInThisProcess_ClientsKeepTheCurrentValue")]
    public void OtherValue_OfferedOnlyWhenTheRotationIsNotRunning(bool running, bool offered)
    {
        var pending = new PendingRotation(MeshSecrets.Read(_credentials).Renewed(6), "compute1", "token");

        _credentials.SetAll(pending.ToCredentials(running));

        Assert.That(PendingRotation.OtherValue(_credentials, CredentialKeys.RedisPassword), offered ? Is.EqualTo(pending.Planned[CredentialKeys.RedisPassword]) : Is.Null);
    }

    [Test]
    public void OtherValue_KeyNotPending_IsNull()
    {
        var planned = new MeshSecrets(6, new Dictionary<string, string> { [CredentialKeys.SuperuserPassword] = "planned" });

        _credentials.SetAll(new PendingRotation(planned, "compute1", "token").ToCredentials(running: false));

        Assert.That(PendingRotation.OtherValue(_credentials, CredentialKeys.SuperuserPassword), Is.EqualTo("planned"));
        Assert.That(PendingRotation.OtherValue(_credentials, CredentialKeys.RedisPassword), Is.Null);
    }

    [Test]
    public void SetAll_Removing_PendingEntriesGone_InTheSameWriteAsTheNewValues()
    {
        var pending = new PendingRotation(MeshSecrets.Read(_credentials).Renewed(6), "compute1", "token");
        _credentials.SetAll(pending.ToCredentials(running: false));

        _credentials.SetAll(pending.Planned.ToCredentials(), PendingRotation.CredentialEntries);
        var file = new NodeCredentials(_temp.Path);

        Assert.That(PendingRotation.Read(file), Is.Null);
        Assert.That(MeshSecrets.Read(file).Values, Is.EquivalentTo(pending.Planned.Values));
        Assert.That(File.ReadAllText(Path.Combine(_temp.Path, "credentials")), Does.Not.Contain(PendingRotation.Prefix));
    }
}
