using System.Text;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>The signed-request format nodes use to call each other: what verifies, what does not, what is not a header.</summary>
public sealed class NodeSignatureTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Test]
    public void Signed_VerifiesForExactlyThatRequestToThatNode()
    {
        using var key = TestKeys.NewSigningKey("compute1");
        var body = Encoding.UTF8.GetBytes("{\"a\":1}");
        var parts = NodeSignature.Parse(key.Authorization("POST", new Uri("http://10.0.0.1:8700/api/v1/events/global?x=1"), body, At)[(NodeSignature.Scheme.Length + 1)..])!;

        Assert.Multiple(() =>
        {
            Assert.That(parts.Node, Is.EqualTo("compute1"));
            Assert.That(parts.UnixSeconds, Is.EqualTo(1_800_000_000));
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "POST", "10.0.0.1:8700", "/api/v1/events/global?x=1", body), Is.True);
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "POST", "10.0.0.2:8700", "/api/v1/events/global?x=1", body), Is.False, "sent to another node");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "post", "10.0.0.1:8700", "/api/v1/events/global?x=1", body), Is.True, "methods compare upper-cased");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "PUT", "10.0.0.1:8700", "/api/v1/events/global?x=1", body), Is.False, "another method");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "POST", "10.0.0.1:8700", "/api/v1/events/global?x=2", body), Is.False, "another query");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts, "POST", "10.0.0.1:8700", "/api/v1/events/global?x=1", Encoding.UTF8.GetBytes("{\"a\":2}")), Is.False, "another body");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts with { UnixSeconds = 1_800_000_001 }, "POST", "10.0.0.1:8700", "/api/v1/events/global?x=1", body), Is.False, "another time");
            Assert.That(NodeSignature.Verify(key.PublicEcdsa, parts with { Node = "compute2" }, "POST", "10.0.0.1:8700", "/api/v1/events/global?x=1", body), Is.False, "another node's name");
        });
    }

    [Test]
    public void Signed_DoesNotVerifyWithAnotherKey()
    {
        using var key = TestKeys.NewSigningKey("compute1");
        using var other = TestKeys.NewSigningKey("compute1");
        var parts = NodeSignature.Parse(key.Authorization("GET", new Uri("http://10.0.0.1:8700/nodes"), [], At)[(NodeSignature.Scheme.Length + 1)..])!;

        Assert.That(NodeSignature.Verify(other.PublicEcdsa, parts, "GET", "10.0.0.1:8700", "/nodes", []), Is.False);
    }

    [TestCase("")]
    [TestCase("node=\"a\", ts=\"1\"")]
    [TestCase("node=\"a\", ts=\"soon\", sig=\"AAAA\"")]
    [TestCase("node=\"a\", ts=\"-1\", sig=\"AAAA\"")]
    [TestCase("node=a, ts=\"1\", sig=\"AAAA\"")]
    [TestCase("node=\"\", ts=\"1\", sig=\"AAAA\"")]
    [TestCase("node=\"a\", ts=\"1\", sig=\"AAAA\", extra=\"1\"")]
    [TestCase("node=\"a\", ts=\"1\", sig=\"not base64!\"")]
    [TestCase("node=\"a\", ts=\"1\", sig=\"AAAA\"")]
    public void Parse_NotTheFormat_IsNull(string parameters) => Assert.That(NodeSignature.Parse(parameters), Is.Null);

    [Test]
    public void Key_MadeOnFirstStart_IsTheSameKeyOnTheNext()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        using var made = NodeSigningKey.LoadOrCreate(new AuroraNode.Hosting.NodeCredentials(temp.Path), "lead");
        using var loaded = NodeSigningKey.LoadOrCreate(new AuroraNode.Hosting.NodeCredentials(temp.Path), "lead");

        Assert.That(loaded.PublicKey, Is.EqualTo(made.PublicKey));
    }
}
