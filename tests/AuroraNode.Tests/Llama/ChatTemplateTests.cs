using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Tests.Llama;

public sealed class ChatTemplateTests
{
    [Test]
    public void Apply_ChatMl_FormatsTheTurnsAndOpensTheAssistants()
    {
        var prompt = ChatTemplate.Apply("chatml", [new("system", "Be brief."), new("user", "Hi")]);

        Assert.That(prompt, Is.EqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    }

    [Test]
    public void Apply_LongConversation_GrowsTheBuffer()
    {
        var text = new string('x', 5000);

        var prompt = ChatTemplate.Apply("chatml", [new("user", text), new("assistant", text), new("user", text)]);

        Assert.That(prompt, Does.Contain(text).And.EndWith("<|im_start|>assistant\n"));
    }

    [Test]
    public void Apply_UnknownTemplate_IsNull() =>
        Assert.That(ChatTemplate.Apply("{{ this is no template llama.cpp knows }}", [new("user", "Hi")]), Is.Null);

    [Test]
    public void ChatTemplate_TinyModelHasNone_IsNull() => Assert.That(TinyModel.Model.ChatTemplate, Is.Null);
}
