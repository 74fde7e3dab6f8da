using AuroraNode.Modules.Redis.Server;

namespace AuroraNode.Tests.Redis;

public sealed class SentinelQuorumTests
{
    [TestCase(1, 1, false, TestName = "A lone Sentinel that confirms: nobody else can fail over")]
    [TestCase(2, 1, false, TestName = "One of two confirms: the other alone is no majority")]
    [TestCase(2, 0, true, TestName = "Neither of two confirms")]
    [TestCase(3, 3, false, TestName = "All three confirm")]
    [TestCase(3, 2, false, TestName = "Two of three confirm: the third alone is no majority")]
    [TestCase(3, 1, true, TestName = "Only this node's own Sentinel confirms: the other two may have failed over")]
    [TestCase(5, 3, false, TestName = "Three of five confirm")]
    [TestCase(5, 2, true, TestName = "Two of five confirm: three may have failed over")]
    public void CouldBeOverruled_OnlyWhenTheOthersCanFormAMajority(int known, int confirming, bool expected)
    {
        Assert.That(SentinelQuorum.CouldBeOverruled(known, confirming), Is.EqualTo(expected));
    }
}
