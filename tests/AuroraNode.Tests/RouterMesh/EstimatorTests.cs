using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// The estimate per node, by table: prior vs measured speed, slots and queue, load, correction and round trip. The load
/// slows only the prior: measured speeds were measured while the node's slots shared the machine.
/// </summary>
public sealed class EstimatorTests
{
    private static readonly RequestSize Hundred = new(PromptTokens: 0, GenerationTokens: 100);

    // gen tok/s, prompt tok/s, slots, busy, queued, sent since, avg ms, gpu, correction, rtt → expected total ms
    [TestCase(0, 0, 1, 0, 0, 0, 0, true, 1, 0, 100, TestName = "Estimate_NothingMeasuredGpu_SeedPriorOf100MsPer100Tokens")]
    [TestCase(0, 0, 1, 0, 0, 0, 0, false, 1, 0, 1000, TestName = "Estimate_NothingMeasuredCpu_SeedPriorOf1000MsPer100Tokens")]
    [TestCase(50, 0, 1, 0, 0, 0, 0, true, 1, 0, 2000, TestName = "Estimate_MeasuredSpeed_WinsOverTheGpuPrior")]
    [TestCase(100, 0, 1, 0, 0, 0, 0, false, 1, 20, 1020, TestName = "Estimate_RoundTrip_IsAdded")]
    [TestCase(0, 0, 2, 1, 0, 0, 0, false, 1, 0, 1500, TestName = "Estimate_OneOfTwoSlotsBusyNothingMeasured_LoadHalfSlowsThePrior")]
    [TestCase(100, 0, 2, 1, 0, 0, 0, false, 1, 0, 1000, TestName = "Estimate_OneOfTwoSlotsBusyMeasured_SpeedCarriesTheSharingAlready")]
    [TestCase(100, 0, 1, 1, 0, 0, 400, false, 1, 0, 1400, TestName = "Estimate_OnlySlotBusy_WaitsOneAverageRequest")]
    [TestCase(100, 0, 1, 1, 2, 0, 400, false, 1, 0, 2200, TestName = "Estimate_TwoQueuedAhead_WaitsThreeAverageRequests")]
    [TestCase(100, 0, 1, 0, 0, 2, 400, false, 1, 0, 1800, TestName = "Estimate_RequestsSentSinceTheLastFigures_CountAsQueued")]
    [TestCase(100, 0, 1, 1, 0, -1, 400, false, 1, 0, 1000, TestName = "Estimate_OwnRequestEndedSinceTheLastFigures_SlotCountsAsFree")]
    [TestCase(100, 0, 1, 0, 0, -1, 400, false, 1, 0, 1000, TestName = "Estimate_MoreEndedThanPublished_NeverBelowIdle")]
    [TestCase(100, 0, 2, 2, 1, 0, 400, false, 1, 0, 1400, TestName = "Estimate_TwoSlotsFullOneQueuedMeasured_WaitsPerSlot")]
    [TestCase(0, 0, 2, 2, 1, 0, 400, false, 1, 0, 1900, TestName = "Estimate_TwoSlotsFullOneQueuedNothingMeasured_WaitsPerSlotAndSharesTheMachine")]
    [TestCase(100, 0, 1, 1, 0, 0, 0, false, 1, 0, 2000, TestName = "Estimate_BusyWithNoAverageYet_WaitsOneRequestOfItsOwnSize")]
    [TestCase(100, 0, 1, 0, 0, 0, 0, false, 3, 10, 3010, TestName = "Estimate_Correction_ScalesAllButTheRoundTrip")]
    public void Estimate_Table(double gen, double prompt, int slots, int busy, int queued, int sent, double averageMs, bool gpu, double correction, double rtt, double expected)
    {
        var load = new ModelLoad("m", slots, busy, queued, prompt, gen, averageMs, gpu, [RequestApi.Ollama]);

        var estimate = Estimator.Of(new Candidate("n", "http://n", false, load, rtt, sent, correction), Hundred);

        Assert.That(estimate.TotalMs, Is.EqualTo(expected).Within(0.001));
    }

    // slots, busy, queued, sent since, published backlog ms → expected total ms (100 tokens at 100 tok/s: 1000 ms of work)
    [TestCase(1, 1, 0, 0, 300, 1300, TestName = "Estimate_OnlySlotBusyWithBacklog_WaitsWhatItHasLeft")]
    [TestCase(1, 1, 2, 0, 2500, 3500, TestName = "Estimate_QueueBehindBacklog_WaitsAllOfIt")]
    [TestCase(2, 2, 0, 0, 600, 1300, TestName = "Estimate_TwoSlotsFullWithBacklog_SharedBySlots")]
    [TestCase(1, 1, 0, 1, 300, 2300, TestName = "Estimate_SentSinceTheBacklog_EachAddsThisRequestsWork")]
    [TestCase(2, 1, 0, 0, 5000, 1000, TestName = "Estimate_FreeSlot_IgnoresTheBacklog")]
    [TestCase(1, 1, 0, 0, 0, 1000, TestName = "Estimate_BusyButBacklogSpent_StartsAtOnce")]
    public void Estimate_Backlog(int slots, int busy, int queued, int sent, double backlogMs, double expected)
    {
        // An average request of 400 ms would give another answer in every case: the backlog is what counts.
        var load = new ModelLoad("m", slots, busy, queued, 0, 100, 400, false, [RequestApi.Ollama], BacklogMs: backlogMs);

        var estimate = Estimator.Of(new Candidate("n", "http://n", false, load, 0, sent), Hundred);

        Assert.That(estimate.TotalMs, Is.EqualTo(expected).Within(0.001));
    }

    [TestCase(0, 0, 100, 100, TestName = "Estimate_PromptUnmeasured_TenTimesTheGenerationSpeed")]
    [TestCase(0, 500, 100, 200, TestName = "Estimate_PromptMeasured_UsesItsOwnSpeed")]
    public void Estimate_PromptTime(double gen, double prompt, double promptTokens, double expected)
    {
        var load = new ModelLoad("m", 1, 0, 0, prompt, gen, 0, false, [RequestApi.Ollama]);

        var estimate = Estimator.Of(new Candidate("n", "http://n", false, load, 0), new RequestSize(promptTokens, 0));

        Assert.That(estimate.TotalMs, Is.EqualTo(expected).Within(0.001));
    }

    [Test]
    public void Rank_EqualEstimates_ThisNodeFirstThenByName()
    {
        var load = new ModelLoad("m", 1, 0, 0, 0, 100, 0, false, [RequestApi.Ollama]);
        var candidates = new[] { new Candidate("b", "u", false, load, 0), new Candidate("a", "u", false, load, 0), new Candidate("self", "u", true, load, 0) };

        var ranked = Estimator.Rank(candidates, Hundred);

        Assert.That(ranked.Select(e => e.Candidate.Node), Is.EqualTo(new[] { "self", "a", "b" }));
    }
}
