namespace AuroraNode.Modules.Router.Llama;

/// <summary>A llama.cpp call failed in a way the user can act on; the message says what to do.</summary>
public sealed class LlamaException : Exception
{
    public LlamaException(string message)
        : base(message)
    {
    }

    public LlamaException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public LlamaException()
    {
    }
}
