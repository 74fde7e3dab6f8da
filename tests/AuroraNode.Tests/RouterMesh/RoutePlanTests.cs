using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>The order nodes are tried in, per strategy, with nodes cooling down last.</summary>
public sealed class RoutePlanTests
{
    private static readonly RequestSize Size = new(10, 100);

    // self: slow and idle; fast: fast with a long queue; mid: middle speed, one busy of two slots.
    private static readonly Candidate[] Nodes =
    [
        new("self", "http://self", true, Load(gen: 20, slots: 1, busy: 0, queued: 0), 0),
        new("fast", "http://fast", false, Load(gen: 1000, slots: 1, busy: 1, queued: 3, averageMs: 100), 2),
        new("mid", "http://mid", false, Load(gen: 200, slots: 2, busy: 1, queued: 0), 2),
    ];

    [TestCase(RoutingOptions.Fastest, new[] { "fast", "mid", "self" }, TestName = "Order_Fastest_LowestEstimateFirst")]
    [TestCase(RoutingOptions.LeastBusy, new[] { "self", "mid", "fast" }, TestName = "Order_LeastBusy_FewestRequestsPerSlotFirst")]
    [TestCase(RoutingOptions.Local, new[] { "self" }, TestName = "Order_Local_OnlyThisNode")]
    [TestCase("mid", new[] { "mid" }, TestName = "Order_Pinned_OnlyThatNode")]
    [TestCase("gone", new string[0], TestName = "Order_PinnedToANodeWithoutTheModel_Nothing")]
    public void Order_ByStrategy(string strategy, string[] expected)
    {
        var plan = RoutePlanner.Order(Nodes, Size, strategy, _ => false);

        Assert.That(plan.Order.Select(e => e.Candidate.Node), Is.EqualTo(expected));
    }

    [Test]
    public void Order_NodeCoolingDown_TriedLast()
    {
        var plan = RoutePlanner.Order(Nodes, Size, RoutingOptions.Fastest, node => node == "fast");

        Assert.That(plan.Order.Select(e => e.Candidate.Node), Is.EqualTo(new[] { "mid", "self", "fast" }));
    }

    [Test]
    public void Order_FastestQueueGrows_WorkShiftsToTheNextNode()
    {
        var idle = new Candidate("fast", "u", false, Load(gen: 1000, slots: 1, busy: 0, queued: 0, averageMs: 500), 0);
        var other = new Candidate("other", "u", false, Load(gen: 200, slots: 1, busy: 0, queued: 0), 0);

        var first = RoutePlanner.Order([idle, other], Size, RoutingOptions.Fastest, _ => false).Order[0].Candidate.Node;
        var queued = RoutePlanner.Order([idle with { OwnChange = 2 }, other], Size, RoutingOptions.Fastest, _ => false).Order[0].Candidate.Node;

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("fast"));
            Assert.That(queued, Is.EqualTo("other"));
        });
    }

    private static ModelLoad Load(double gen, int slots, int busy, int queued, double averageMs = 0) =>
        new("m", slots, busy, queued, 0, gen, averageMs, false, [RequestApi.Ollama]);
}
