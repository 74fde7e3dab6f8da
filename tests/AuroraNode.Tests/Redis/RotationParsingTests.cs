using AuroraNode.Modules.Redis.Rotation;
using AuroraNode.Modules.Redis.Server;

namespace AuroraNode.Tests.Redis;

public sealed class RotationParsingTests
{
    private const string Clients = """
        id=3 addr=127.0.0.1:50100 laddr=127.0.0.1:6380 fd=8 name=aurora-node:lead age=10 idle=0 flags=N db=0 cmd=ping user=default
        id=4 addr=10.0.0.7:50200 laddr=10.0.0.1:6380 fd=9 name=aurora-node:gpu1 age=10 idle=0 flags=N db=0 cmd=get user=default
        id=5 addr=10.0.0.7:50201 laddr=10.0.0.1:6380 fd=10 name= age=10 idle=0 flags=S db=0 cmd=replconf user=default
        id=6 addr=10.0.0.8:50300 laddr=10.0.0.1:6380 fd=11 name=aurora-node:gpu10 age=10 idle=0 flags=N db=0 cmd=get user=default
        id=7 addr=[::1]:50400 laddr=[::1]:6380 fd=12 name=aurora-node:gpu1 age=1 idle=0 flags=N db=0 cmd=get user=default
        """;

    [TestCase("gpu1", null, new[] { "4", "7" }, TestName = "IdsOf_ByName_OnlyThatNodesConnections")]
    [TestCase("gpu1", "10.0.0.7", new[] { "4", "5", "7" }, TestName = "IdsOf_ByNameAndAddress_AlsoItsUnnamedOnes")]
    [TestCase("gpu", null, new string[0], TestName = "IdsOf_APrefixOfANameIsNotThatName")]
    [TestCase("edge1", null, new string[0], TestName = "IdsOf_NodeWithoutConnections_None")]
    public void IdsOf_SelectsTheRevokedNodesConnections(string node, string? address, string[] expected)
    {
        Assert.That(ClientList.IdsOf(Clients, node, address), Is.EqualTo(expected));
    }

    [Test]
    public void Replicas_FromInfoReplication_HostAndPort()
    {
        const string info = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=10.0.0.2,port=6380,state=online,offset=42,lag=0\r\nslave1:ip=127.0.0.1,port=41000,state=wait_bgsave,offset=0,lag=1\r\nmaster_failover_state:no-failover\r\nmaster_replid:abc\r\n";

        Assert.That(ReplicationInfo.Replicas(info), Is.EqualTo(new[] { "10.0.0.2:6380", "127.0.0.1:41000" }));
        Assert.That(ReplicationInfo.Replicas("# Replication\r\nrole:slave\r\nslave_read_only:1\r\n"), Is.Empty);
    }

    [Test]
    public void SentinelConfig_WithPassword_ReplacesEveryPasswordLine_DropsTheAclUser()
    {
        const string written = """
            port 26380
            requirepass "old"
            sentinel sentinel-pass old
            sentinel monitor aurora 127.0.0.1 6380 2
            sentinel auth-pass aurora old
            user default on #11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437 ~* &* +@all
            sentinel myid 60da997c0f683c6059cf00f7357e144b735f38d0
            """;

        var updated = SentinelConfigFile.WithPassword(written, "fresh");

        Assert.That(updated, Is.EqualTo("""
            port 26380
            requirepass fresh
            sentinel sentinel-pass fresh
            sentinel monitor aurora 127.0.0.1 6380 2
            sentinel auth-pass aurora fresh
            sentinel myid 60da997c0f683c6059cf00f7357e144b735f38d0
            """));
        Assert.That(SentinelConfigFile.WithPassword(updated, "fresh"), Is.EqualTo(updated), "nothing to change the second time");
    }
}
