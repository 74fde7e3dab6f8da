using AuroraNode.Modules.EventBus.Transport;

namespace AuroraNode.Tests.EventBus;

public sealed class OutboxTests
{
    [Test]
    public void Enqueue_KeepsOrder()
    {
        var outbox = new Outbox(10);
        var a = new OutgoingEvent("aurora:a", "1", false);
        var b = new OutgoingEvent("aurora:b", "2", true);
        outbox.Enqueue(a);
        outbox.Enqueue(b);

        Assert.That(outbox.Peek(), Is.SameAs(a));
        outbox.Remove(a);
        Assert.That(outbox.Peek(), Is.SameAs(b));
    }

    [Test]
    public void Enqueue_WhenFull_DropsTheOldestEphemeralEventNotADurableOne()
    {
        var outbox = new Outbox(2);
        var durable = new OutgoingEvent("aurora:system:alert", "d", true);
        var ephemeral = new OutgoingEvent("aurora:cache:invalidate", "e", false);
        outbox.Enqueue(durable);
        outbox.Enqueue(ephemeral);

        var dropped = outbox.Enqueue(new OutgoingEvent("aurora:system:alert", "d2", true));

        Assert.That(dropped, Is.SameAs(ephemeral));
        Assert.That(outbox.Count, Is.EqualTo(2));
        Assert.That(outbox.Peek(), Is.SameAs(durable));
    }

    [Test]
    public void Enqueue_FullOfDurableEvents_RefusesADurableEventLoudly()
    {
        var outbox = new Outbox(1);
        outbox.Enqueue(new OutgoingEvent("aurora:system:alert", "d", true));

        Assert.That(() => outbox.Enqueue(new OutgoingEvent("aurora:system:alert", "d2", true)), Throws.TypeOf<OutboxFullException>());
    }

    [Test]
    public void Enqueue_FullOfDurableEvents_DropsTheNewEphemeralEvent()
    {
        var outbox = new Outbox(1);
        var durable = new OutgoingEvent("aurora:system:alert", "d", true);
        outbox.Enqueue(durable);
        var ephemeral = new OutgoingEvent("aurora:cache:invalidate", "e", false);

        Assert.That(outbox.Enqueue(ephemeral), Is.SameAs(ephemeral));
        Assert.That(outbox.Peek(), Is.SameAs(durable));
    }
}
