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
    [Test]
    public void IdsOfSentinel_ByTheFirstEightCharactersOfItsId_BothItsLinks()
    {
        const string list = """
            id=8 addr=127.0.0.1:50500 laddr=127.0.0.1:6380 fd=13 name=sentinel-3a1b2c3d-cmd age=5 idle=0 flags=N db=0 cmd=ping user=default
            id=9 addr=127.0.0.1:50501 laddr=127.0.0.1:6380 fd=14 name=sentinel-3a1b2c3d-pubsub age=5 idle=0 flags=P db=0 cmd=subscribe user=default
            id=10 addr=127.0.0.1:50502 laddr=127.0.0.1:6380 fd=15 name=sentinel-99999999-cmd age=5 idle=0 flags=N db=0 cmd=ping user=default
            """;

        Assert.That(ClientList.IdsOfSentinel(list, "3a1b2c3d4e5f60718293a4b5c6d7e8f901234567"), Is.EqualTo(new[] { "8", "9" }));
    }

    [Test]
    public void ReplicaIds_OnlyTheReplicasLinks()
    {
        Assert.That(ClientList.ReplicaIds(Clients), Is.EqualTo(new[] { "5" }));
    }

    [Test]
    public void SentinelPeers_IdOf_TheSentinelAtThatEndpoint_NullWhenNotListed()
    {
        object?[] reply =
        [
            new object?[] { "name", "aa11", "ip", "127.0.0.1", "port", "26380", "runid", "aa11" },
            new object?[] { "name", "bb22", "ip", "127.0.0.1", "port", "26381", "runid", "bb22" },
        ];

        Assert.That(SentinelPeers.IdOf(reply, "127.0.0.1:26381"), Is.EqualTo("bb22"));
        Assert.That(SentinelPeers.IdOf(reply, "127.0.0.1:26382"), Is.Null);
        Assert.That(SentinelPeers.IdOf(new RespError("ERR no such master"), "127.0.0.1:26381"), Is.Null);
    }

    [TestCase("127.0.0.1:6380|127.0.0.1:26380", "127.0.0.1:6380", "127.0.0.1:26380", TestName = "RedisMember_Parse_ServerAndSentinel")]
    [TestCase("|10.0.0.3:26380", null, "10.0.0.3:26380", TestName = "RedisMember_Parse_SentinelOnly")]
    [TestCase("127.0.0.1:6380|", "127.0.0.1:6380", null, TestName = "RedisMember_Parse_ServerOnly")]
    public void RedisMember_Parse_RoundTrips(string value, string? server, string? sentinel)
    {
        var member = RedisMember.Parse(value);
        Assert.That(member, Is.EqualTo(new RedisMember(server, sentinel)));
        Assert.That(member!.Value, Is.EqualTo(value));
        Assert.That(RedisMember.Parse("nonsense"), Is.Null);
    }
}
