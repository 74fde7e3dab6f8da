namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// One step of a generation: the text of one token (empty while a UTF-8 character is incomplete), or, last,
/// the <see cref="Done"/> figures — the shape of Ollama's streamed chunks.
/// </summary>
internal sealed record GenerationChunk(string Text, int Token, GenerationStats? Done)
{
    public bool IsDone => Done is not null;
}
