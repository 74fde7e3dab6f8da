using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Load;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// Runs a request on this node: checks llama.cpp and the model, takes a slot (loading the model on first use),
/// templates the prompt and starts the generation, so every failure is known before a response starts.
/// </summary>
internal sealed class LocalInference(LocalLibrary library, ModelPool pool, SpeedBook speeds, TimeProvider time)
{
    // llama.cpp's own name for the format most chat models share; used when a model carries no template it knows.
    private const string FallbackTemplate = "chatml";

    public LocalLibrary Library => library;

    public ModelPool Pool => pool;

    /// <summary>
    /// A started run, or why none could start; null run and null error for a load-only request (no prompt).
    /// <paramref name="inSlot"/> is called once the request holds its slot (it may have waited in the queue).
    /// </summary>
    public async Task<(InferenceRun? Run, InferenceError? Error, SlotLease? LoadOnly)> StartAsync(InferenceRequest request, Action inSlot, CancellationToken ct)
    {
        if (library.EnsureLoaded() is { } problem)
        {
            return Fail(503, problem, "no_library");
        }

        if (pool.Resolve(request.Model) is not { } settings)
        {
            RouterMetrics.Requests.Add(1, RouterMetrics.Model(request.Model), RouterMetrics.Outcome("not_found"));
            return (null, new InferenceError(404, $"model '{request.Model}' not found"), null);
        }

        SlotLease lease;
        try
        {
            lease = await pool.AcquireAsync(settings, request.KeepAlive, ct);
        }
        catch (QueueFullException e)
        {
            RouterMetrics.Requests.Add(1, RouterMetrics.Model(settings.Name), RouterMetrics.Outcome("queue_full"));
            return (null, new InferenceError(503, e.Message, e.RetryAfter), null);
        }
        catch (LlamaException e)
        {
            return Fail(422, $"model '{settings.Name}' could not be loaded: {e.Message}", "load_failed", settings.Name);
        }

        inSlot();
        var started = time.GetTimestamp();
        var prompt = Prompt(request, lease.Model);
        if (string.IsNullOrEmpty(prompt))
        {
            RouterMetrics.Requests.Add(1, RouterMetrics.Model(settings.Name), RouterMetrics.Outcome("load"));
            return (null, null, lease);
        }

        // Tokenized once, here: the run counts the prompt's tokens and the generator decodes them.
        var tokens = lease.Model.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        var chunks = lease.Generator.GenerateAsync(new GenerationRequest(prompt, request.MaxTokens, request.Sampling, tokens), ct).GetAsyncEnumerator(ct);
        var run = new InferenceRun(lease, chunks, tokens.Length, request.Stop, started, speeds, time);
        try
        {
            // The prompt's first decode: a prompt too long for the context fails here, before any answer starts.
            if (!await chunks.MoveNextAsync())
            {
                throw new LlamaException("the generation ended without a result");
            }
        }
        catch (LlamaException e)
        {
            await run.DisposeAsync();
            return Fail(400, e.Message, "bad_prompt", settings.Name);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }

        RouterMetrics.Requests.Add(1, RouterMetrics.Model(settings.Name), RouterMetrics.Outcome("ok"));
        return (run, null, null);
    }

    private static (InferenceRun?, InferenceError?, SlotLease?) Fail(int status, string message, string outcome, string? model = null)
    {
        RouterMetrics.Requests.Add(1, RouterMetrics.Model(model ?? ""), RouterMetrics.Outcome(outcome));
        return (null, new InferenceError(status, message), null);
    }

    private static string? Prompt(InferenceRequest request, LlamaModel model)
    {
        if (request.Messages is { } messages)
        {
            return messages.Count == 0 ? null : Template(model, messages);
        }

        var plain = string.IsNullOrEmpty(request.System) ? request.Prompt : $"{request.System}\n\n{request.Prompt}";
        if (request.Raw || string.IsNullOrEmpty(request.Prompt) || model.ChatTemplate is null)
        {
            return request.Raw || string.IsNullOrEmpty(request.Prompt) ? request.Prompt : plain;
        }

        // Like Ollama, a prompt goes through the model's own template when it has one.
        List<ChatMessage> turns = string.IsNullOrEmpty(request.System) ? [] : [new ChatMessage("system", request.System)];
        turns.Add(new ChatMessage("user", request.Prompt));
        return ChatTemplate.Apply(model.ChatTemplate, turns) ?? plain;
    }

    private static string Template(LlamaModel model, IReadOnlyList<ChatMessage> messages) =>
        (model.ChatTemplate is { } own ? ChatTemplate.Apply(own, messages) : null)
        ?? ChatTemplate.Apply(FallbackTemplate, messages)
        ?? string.Concat(messages.Select(m => $"{m.Role}: {m.Content}\n")) + "assistant:";
}
