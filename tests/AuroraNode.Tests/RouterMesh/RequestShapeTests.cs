using System.Text;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>What routing reads of a request body: model (without :latest), whether it streams, and its size.</summary>
public sealed class RequestShapeTests
{
    // body, stream by default → model, stream, prompt tokens, generation tokens
    [TestCase("{\"model\":\"m\",\"prompt\":\"12345678\"}", true, "m", true, 2, 128, TestName = "Read_OllamaGenerate_PromptAtFourCharactersPerToken")]
    [TestCase("{\"model\":\"m:latest\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":7}}", true, "m", false, 1, 7, TestName = "Read_LatestTagAndNumPredict_BareNameAndItsLength")]
    [TestCase("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"12345678\"}]}", false, "m", false, 4, 128, TestName = "Read_Messages_ContentPlusEightPerMessage")]
    [TestCase("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"1234\"}]}],\"max_tokens\":20,\"stream\":true}", false, "m", true, 3, 20, TestName = "Read_OpenAiContentParts_AndMaxTokens")]
    [TestCase("{\"model\":\"m\",\"prompt\":\"\",\"max_completion_tokens\":5,\"max_tokens\":9}", false, "m", false, 1, 5, TestName = "Read_MaxCompletionTokens_WinsOverMaxTokens")]
    [TestCase("{\"model\":\"m\",\"options\":{\"num_predict\":-1}}", true, "m", true, 1, 128, TestName = "Read_NumPredictUnlimited_DefaultLength")]
    public void Read_Table(string body, bool streamByDefault, string model, bool stream, double promptTokens, double generationTokens)
    {
        var shape = RequestShape.Read(RequestApi.Ollama, Encoding.UTF8.GetBytes(body), streamByDefault);

        Assert.That(shape, Is.Not.Null);
        Assert.That((shape!.Model, shape.Stream, shape.Size.PromptTokens, shape.Size.GenerationTokens), Is.EqualTo((model, stream, promptTokens, generationTokens)));
    }

    [TestCase("not json")]
    [TestCase("[1, 2]")]
    [TestCase("{\"prompt\":\"no model\"}")]
    [TestCase("{\"model\":\"  \"}")]
    [TestCase("{\"model\":7}")]
    public void Read_NoModel_NullSoTheEndpointExplains(string body)
    {
        Assert.That(RequestShape.Read(RequestApi.Ollama, Encoding.UTF8.GetBytes(body), true), Is.Null);
    }
}
