using AuroraNode.Bench;

// Benchmarks of the node against a peer measured in the same run; figures go to bench/README.md.
//   all | startup | rss | http       run those benchmarks against the Release build of aurora-node
//   bare-kestrel --port N            the peer for "http" and "rss": a bare Kestrel endpoint (started by the runner)
var verb = args.FirstOrDefault() ?? "all";
if (verb == "bare-kestrel")
{
    await BareKestrel.RunAsync(int.Parse(args[2]));
    return 0;
}

var report = new Report();
if (verb is "all" or "startup")
{
    await StartupBench.RunAsync(report);
}

if (verb is "all" or "rss")
{
    await RssBench.RunAsync(report);
}

if (verb is "all" or "http")
{
    await HttpBench.RunAsync(report);
}

if (report.IsEmpty)
{
    await Console.Error.WriteLineAsync("usage: AuroraNode.Bench all|startup|rss|http");
    return 2;
}

report.Print();
report.Save();
return 0;
