using System.Text.Json;
using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Tests.Router;

public sealed class KeepAliveTests
{
    [TestCase("5m", 300.0)]
    [TestCase("1h30m", 5400.0)]
    [TestCase("0", 0.0)]
    [TestCase("30", 30.0)]
    [TestCase("250ms", 0.25)]
    [TestCase("-1", null)]
    [TestCase("-5m", null)]
    public void TryParse_Ollama_Durations(string text, double? seconds)
    {
        Assert.That(KeepAlive.TryParse(text, out var value), Is.True);
        Assert.That(value?.TotalSeconds, Is.EqualTo(seconds));
    }

    [TestCase("soon")]
    [TestCase("5 minutes")]
    public void TryParse_Nonsense_Fails(string text) => Assert.That(KeepAlive.TryParse(text, out _), Is.False);

    [TestCase("10", 10.0)]
    [TestCase("-1", null)]
    [TestCase("\"2m\"", 120.0)]
    [TestCase("null", 300.0)]
    public void TryRead_JsonValue_Parses(string json, double? seconds)
    {
        var element = JsonDocument.Parse(json).RootElement;

        Assert.That(KeepAlive.TryRead(element, TimeSpan.FromMinutes(5), out var value), Is.True);
        Assert.That(value?.TotalSeconds, Is.EqualTo(seconds));
    }

    [Test]
    public void TryRead_Object_Fails() =>
        Assert.That(KeepAlive.TryRead(JsonDocument.Parse("{}").RootElement, null, out _), Is.False);
}
