using System.Diagnostics;
using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// The inference benchmark's third party: node-llama-cpp (bench/clients, installed with npm) on the same prebuilt
/// library, model, context and threads, driven line by line through bench/clients/node-llama-cpp.mjs so its runs
/// interleave with ours. It receives the prompt as token ids, so it decodes exactly what the others decode.
/// </summary>
internal sealed class NodeLlamaCppPeer : IAsyncDisposable
{
    public const string Version = "3.22.1";

    private static readonly string Folder = Path.Combine(Repo.Root, "bench", "clients");
    private readonly Process _process;

    private NodeLlamaCppPeer(Process process) => _process = process;

    /// <summary>Installs the pinned client when missing, starts it and waits until it has loaded the model.</summary>
    public static async Task<NodeLlamaCppPeer> StartAsync(string modelPath, int context, int threads, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "node-llama-cpp", "package.json")))
        {
            Console.WriteLine("inference: installing node-llama-cpp into bench/clients (npm ci --omit=optional)");
            var (code, output) = await Command.RunAsync(["npm", "ci", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", Folder], ct);
            if (code != 0)
            {
                throw new BenchException($"npm ci in {Folder} failed (node and npm must be installed):\n{output}");
            }
        }

        var info = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        foreach (var a in new[] { Path.Combine(Folder, "node-llama-cpp.mjs"), modelPath, threads.ToString(), context.ToString() })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new BenchException("node could not be started");
        var peer = new NodeLlamaCppPeer(process);
        var ready = await peer.ReadLineAsync(TimeSpan.FromSeconds(60), ct);
        if (!ready.GetProperty("ready").GetBoolean())
        {
            throw new BenchException($"node-llama-cpp did not load {modelPath}");
        }

        return peer;
    }

    public async Task<(GenerationTiming Timing, int[] Ids)> RunAsync(int[] prompt, int tokens, CancellationToken ct)
    {
        await _process.StandardInput.WriteLineAsync($"{JsonSerializer.Serialize(prompt)}\t{tokens}");
        await _process.StandardInput.FlushAsync(ct);
        var line = await ReadLineAsync(TimeSpan.FromMinutes(2), ct);
        var ids = line.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray();
        return (new GenerationTiming(
            line.GetProperty("count").GetInt32(),
            line.GetProperty("first_ms").GetDouble(),
            line.GetProperty("gen_ms").GetDouble(),
            line.GetProperty("total_ms").GetDouble(),
            ""), ids);
    }

    private async Task<JsonElement> ReadLineAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            var line = await _process.StandardOutput.ReadLineAsync(limit.Token);
            if (line is null)
            {
                throw new BenchException($"node-llama-cpp exited: {await _process.StandardError.ReadToEndAsync(ct)}");
            }

            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BenchException($"node-llama-cpp gave no answer within {timeout.TotalSeconds:0} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.StandardInput.FlushAsync();
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
