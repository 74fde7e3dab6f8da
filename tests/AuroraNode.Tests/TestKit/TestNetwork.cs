using System.Diagnostics;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// Nodes in network namespaces of their own, each with one address on a bridge in the test's namespace, so the
/// test reaches every node and the nodes reach each other as machines on a LAN would. <see cref="Partition"/> cuts
/// one node off from the other nodes (not from the test) without killing anything: each side's neighbour entry for
/// the other points at a MAC address nobody has, so packets vanish silently and connections time out, as in a
/// real partition. Needs root and iproute2 (<c>ip</c>).
/// </summary>
public sealed class TestNetwork : IDisposable
{
    private const string NowhereMac = "02:00:00:00:00:01";
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly string _subnet = $"10.{200 + Random.Shared.Next(50)}.{Random.Shared.Next(1, 255)}";
    private readonly List<Host> _hosts = [];

    private TestNetwork()
    {
    }

    private string Bridge => $"aurbr{_id}";

    public static TestNetwork Create()
    {
        if (Posix.GetEuid() != 0)
        {
            Assert.Fail("network namespace tests need root (ip netns); run the suite as root, as .ci/run does");
        }

        var network = new TestNetwork();
        try
        {
            Ip("link", "add", network.Bridge, "type", "bridge");
            Ip("addr", "add", $"{network._subnet}.1/24", "dev", network.Bridge);
            Ip("link", "set", network.Bridge, "up");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Adds a namespace for <paramref name="name"/> and returns its address on the bridge.</summary>
    public string Add(string name)
    {
        var host = new Host(name, $"aur-{_id}-{_hosts.Count}", $"av{_id}{_hosts.Count}", $"{_subnet}.{_hosts.Count + 2}");
        _hosts.Add(host);
        Ip("netns", "add", host.Namespace);
        Ip("link", "add", host.Veth, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace);
        Ip("link", "set", host.Veth, "master", Bridge, "up");
        Ip("-n", host.Namespace, "addr", "add", $"{host.Address}/24", "dev", "eth0");
        Ip("-n", host.Namespace, "link", "set", "eth0", "up");
        Ip("-n", host.Namespace, "link", "set", "lo", "up");
        return host.Address;
    }

    /// <summary>The command prefix that runs a program inside <paramref name="name"/>'s namespace.</summary>
    public string[] Launcher(string name) => ["ip", "netns", "exec", Find(name).Namespace];

    /// <summary>Cuts <paramref name="name"/> off from every other node, both ways; the test still reaches it.</summary>
    public void Partition(string name)
    {
        var cut = Find(name);
        foreach (var other in _hosts.Where(h => h != cut))
        {
            Cut(cut, other);
        }
    }

    /// <summary>Cuts the link between <paramref name="a"/> and <paramref name="b"/> only, both ways; each still reaches the others.</summary>
    public void Partition(string a, string b) => Cut(Find(a), Find(b));

    public void Heal(string name)
    {
        var cut = Find(name);
        foreach (var other in _hosts.Where(h => h != cut))
        {
            Mend(cut, other);
        }
    }

    public void Heal(string a, string b) => Mend(Find(a), Find(b));

    private void Cut(Host one, Host other)
    {
        Ip("-n", one.Namespace, "neigh", "replace", other.Address, "lladdr", NowhereMac, "nud", "permanent", "dev", "eth0");
        Ip("-n", other.Namespace, "neigh", "replace", one.Address, "lladdr", NowhereMac, "nud", "permanent", "dev", "eth0");
    }

    private void Mend(Host one, Host other)
    {
        Ip("-n", one.Namespace, "neigh", "del", other.Address, "dev", "eth0");
        Ip("-n", other.Namespace, "neigh", "del", one.Address, "dev", "eth0");
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            foreach (var pid in Run(["ip", "netns", "pids", host.Namespace], check: false).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                _ = Posix.Kill(int.Parse(pid), Posix.SigKill);
            }

            TryIp("netns", "del", host.Namespace);
        }

        TryIp("link", "del", Bridge);
    }

    private Host Find(string name) => _hosts.Single(h => h.Name == name);

    private static void Ip(params string[] args) => Run(["ip", .. args], check: true);

    private static void TryIp(params string[] args) => Run(["ip", .. args], check: false);

    private static string Run(string[] command, bool check)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            Assert.Fail($"{string.Join(' ', command)} failed ({process.ExitCode}): {stderr}");
        }

        return stdout;
    }

    private sealed record Host(string Name, string Namespace, string Veth, string Address);
}
