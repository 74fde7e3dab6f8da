using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>Login across real nodes: a lead and a compute node that joined it, sharing sessions through the mesh's Redis.</summary>
[NonParallelizable]
public sealed class AuthMeshTests
{
    private const string AuthSection = "auth:\n  login_max_failures: 3\n  login_lockout: 30s\n  login_rate_per_user: 100\n  login_rate_per_address: 1000\n  refresh_reuse_grace: 0s";

    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _compute = null!;
    private string _adminPassword = null!;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartMeshAsync()
    {
        _temp = new TempDirectory();
        var modules = NodeConfigFile.ShortRegistryIntervals + "\n" + AuthSection;
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["modules"] = modules);
        _compute = await _mesh.AddAsync("compute-1", "compute", c => c.Sections["modules"] = modules);
        _adminPassword = Mesh.Credentials(Lead)["auth.admin_password"];
    }

    [OneTimeTearDown]
    public async Task StopMeshAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public void Bootstrap_LeadFirstStart_AdminPasswordInCredentialsAndPrintedOnce()
    {
        var lead = Mesh.Credentials(Lead);
        var compute = Mesh.Credentials(_compute);

        Assert.Multiple(() =>
        {
            Assert.That(_adminPassword, Has.Length.EqualTo(24));
            Assert.That(Lead.Output, Does.Contain(_adminPassword), "printed on stdout");
            Assert.That(string.Concat(Directory.GetFiles(Path.Combine(Lead.Config.DataDir, "logs")).Select(File.ReadAllText)), Does.Not.Contain(_adminPassword), "never logged");
            Assert.That(File.GetUnixFileMode(Path.Combine(Lead.Config.DataDir, "credentials")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(compute["auth.mesh_key"], Is.EqualTo(lead["auth.mesh_key"]), "the joining node received the mesh key");
            Assert.That(compute.ContainsKey("auth.admin_password"), Is.False);
        });
    }

    [Test]
    public async Task Login_OnComputeNode_TokenWorksOnTheLead()
    {
        var stopwatch = Stopwatch.StartNew();
        var (access, _) = await AuthClient.TokensAsync(_compute, "admin", _adminPassword);
        var loginMs = stopwatch.ElapsedMilliseconds;

        var (status, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions", bearer: access);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var mine = body.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("current").GetBoolean());
        Assert.That(mine.GetProperty("node").GetString(), Is.EqualTo("compute-1"));
        await TestContext.Out.WriteLineAsync($"login on compute-1: {loginMs} ms");
    }

    [Test]
    public async Task Logout_OnTheLead_TokenRefusedOnComputeWithinASecond()
    {
        var (access, _) = await AuthClient.TokensAsync(_compute, "admin", _adminPassword);
        var (before, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: access);
        Assert.That(before, Is.EqualTo(HttpStatusCode.OK), "cached as alive on the compute node first");

        var (logout, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/logout", bearer: access);
        var stopwatch = Stopwatch.StartNew();
        Assert.That(logout, Is.EqualTo(HttpStatusCode.NoContent));

        HttpStatusCode status;
        JsonElement body;
        do
        {
            (status, body, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: access);
        }
        while (status == HttpStatusCode.OK && stopwatch.Elapsed < TimeSpan.FromSeconds(1));

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), $"still accepted {stopwatch.ElapsedMilliseconds} ms after the logout");
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("session has ended"));
        await TestContext.Out.WriteLineAsync($"logout on the lead refused on compute-1 after {stopwatch.ElapsedMilliseconds} ms");
    }

    [Test]
    public async Task Refresh_RotatedTokenReused_RevokesTheFamily()
    {
        var (access, first) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);

        var (rotated, body, _) = await AuthClient.SendAsync(_compute, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = first });
        Assert.That(rotated, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var second = body.GetProperty("refresh_token").GetString()!;
        var newAccess = body.GetProperty("access_token").GetString()!;
        Assert.That(second, Is.Not.EqualTo(first));

        var (reuse, reuseBody, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = first });
        var (afterReuse, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/refresh", new { refresh_token = second });
        var (oldAccess, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions", bearer: access);
        var (rotatedAccess, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: newAccess);

        Assert.Multiple(() =>
        {
            Assert.That(reuse, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(reuseBody.GetProperty("detail").GetString(), Does.Contain("already used"));
            Assert.That(afterReuse, Is.EqualTo(HttpStatusCode.Unauthorized), "the family's live token dies with it");
            Assert.That(oldAccess, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(rotatedAccess, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Login_UnknownUserAndWrongPassword_AnswerIdentically()
    {
        await CreateUserAsync("twin", "twin-password-1", "user");

        var stopwatch = Stopwatch.StartNew();
        var (unknownStatus, unknownBody, unknownResponse) = await AuthClient.LoginAsync(Lead, "nobody-here", "whatever-password");
        var unknownMs = stopwatch.ElapsedMilliseconds;
        stopwatch.Restart();
        var (wrongStatus, wrongBody, wrongResponse) = await AuthClient.LoginAsync(Lead, "twin", "whatever-password");
        var wrongMs = stopwatch.ElapsedMilliseconds;
        await TestContext.Out.WriteLineAsync($"login answer: unknown user {unknownMs} ms, wrong password {wrongMs} ms");

        Assert.Multiple(() =>
        {
            Assert.That(unknownStatus, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongStatus, Is.EqualTo(unknownStatus));
            Assert.That(wrongBody.GetProperty("detail").GetString(), Is.EqualTo(unknownBody.GetProperty("detail").GetString()));
            Assert.That(wrongResponse.Headers.WwwAuthenticate.ToString(), Is.EqualTo(unknownResponse.Headers.WwwAuthenticate.ToString()));
        });
    }

    [Test]
    public async Task Login_RepeatedFailures_LockedOutWith429AndRetryAfter()
    {
        await CreateUserAsync("locky", "locky-password-1", "user");
        for (var i = 0; i < 3; i++)
        {
            var (failed, _, _) = await AuthClient.LoginAsync(Lead, "locky", "wrong-password");
            Assert.That(failed, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        // Even the right password, and on another node: the lockout is the mesh's.
        var (status, body, response) = await AuthClient.LoginAsync(_compute, "locky", "locky-password-1");

        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests), body.ToString());
        Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(Lead.Output + _compute.Output, Does.Contain("login_lockout"));
    }

    [Test]
    public async Task Jwks_ServedOnEveryNode_SameKeys()
    {
        var lead = await Lead.GetJsonAsync("/.well-known/jwks.json");
        var compute = await _compute.GetJsonAsync("/.well-known/jwks.json");

        var kids = lead.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.That(kids, Is.Not.Empty);
        Assert.That(lead.GetProperty("keys")[0].GetProperty("alg").GetString(), Is.EqualTo("ES256"));
        Assert.That(lead.GetProperty("keys")[0].TryGetProperty("d", out _), Is.False, "no private part");
        Assert.That(compute.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()), Is.EquivalentTo(kids));
    }

    [Test]
    public async Task RotateKeys_OldTokensStayValid_NewTokensUseTheNewKey()
    {
        var (old, _) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);

        var (status, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/rotate-keys", bearer: old);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        var kid = body.GetProperty("kid").GetString();

        // The compute node learns of the new key from the event (or from the primary on an unknown kid).
        var (fresh, _) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);
        var (freshOnCompute, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: fresh);
        var (oldOnCompute, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: old);
        var jwks = await _compute.GetJsonAsync("/.well-known/jwks.json");

        Assert.Multiple(() =>
        {
            Assert.That(Header(fresh).GetProperty("kid").GetString(), Is.EqualTo(kid));
            Assert.That(Header(old).GetProperty("kid").GetString(), Is.Not.EqualTo(kid));
            Assert.That(freshOnCompute, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(oldOnCompute, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(jwks.GetProperty("keys").GetArrayLength(), Is.GreaterThanOrEqualTo(2));
        });
    }

    [Test]
    public async Task UsersAdmin_NonAdmin_Refused403()
    {
        await CreateUserAsync("plain", "plain-password-1", "user");
        var (access, _) = await AuthClient.TokensAsync(_compute, "plain", "plain-password-1");

        var (list, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/users", bearer: access);
        var (create, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/users", new { username = "sneaky", password = "sneaky-password" }, access);
        var (others, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions?user=admin", bearer: access);
        var (anonymous, _, anonymousResponse) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/users");

        Assert.Multiple(() =>
        {
            Assert.That(list, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(create, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(others, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(anonymous, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(anonymousResponse.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        });
    }

    [Test]
    public async Task UsersAdmin_DisableAndPasswordChange_EndSessions()
    {
        await CreateUserAsync("shifty", "shifty-password-1", "user");
        var (admin, _) = await AdminAsync();
        var (first, _) = await AuthClient.TokensAsync(_compute, "shifty", "shifty-password-1");
        var (second, _) = await AuthClient.TokensAsync(Lead, "shifty", "shifty-password-1");

        // Changing one's own password keeps this session and ends the others.
        var (changed, changedBody, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/users/shifty/password",
            new { password = "shifty-password-2", current_password = "shifty-password-1" }, second);
        Assert.That(changed, Is.EqualTo(HttpStatusCode.OK), changedBody.ToString());
        var (firstAfter, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: first);
        var (secondAfter, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: second);

        var (disabled, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Patch, "/api/v1/auth/users/shifty", new { disabled = true }, admin);
        var (secondDisabled, _, _) = await AuthClient.SendAsync(_compute, HttpMethod.Get, "/api/v1/auth/sessions", bearer: second);
        var (login, _, _) = await AuthClient.LoginAsync(Lead, "shifty", "shifty-password-2");

        Assert.Multiple(() =>
        {
            Assert.That(firstAfter, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(secondAfter, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(disabled, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(secondDisabled, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(login, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Login_OversizedBody_Refused413()
    {
        var (status, _, _) = await AuthClient.LoginAsync(Lead, "admin", new string('x', 64 * 1024));

        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [Test]
    public async Task Cli_LoginThenUsersAddAndList_UseTheSavedToken()
    {
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _temp.Combine("cli-config") };

        var login = await Executable.RunWithInputAsync(_adminPassword + "\n", env, "login", "--config", _compute.Config.Path, "--user", "admin");
        var add = await Executable.RunWithInputAsync("cli-password-1\n", env, "users", "add", "cli-user");
        var list = await Executable.RunWithInputAsync("", env, "users", "list", "--json");
        var tokenFile = Path.Combine(_temp.Combine("cli-config"), "aurora-node", "token");

        Assert.That(login.ExitCode, Is.Zero, login.ToString());
        Assert.That(File.GetUnixFileMode(tokenFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        Assert.That(JsonDocument.Parse(list.Stdout).RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()), Does.Contain("cli-user"));
        await AuthClient.TokensAsync(Lead, "cli-user", "cli-password-1");
    }

    [Test]
    public async Task Cli_UsersWithoutALogin_OnTheNodesMachine_IsItsOperator_ElsewhereNotLoggedIn()
    {
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _temp.Combine("no-login-config") };

        var asOperator = await Executable.RunInAsync(Path.GetDirectoryName(Lead.Config.Path)!, "", env, "users", "list", "--json");
        var elsewhere = await Executable.RunWithInputAsync("", env, "users", "list", "--api", Lead.Config.ApiUrl);

        Assert.That(asOperator.ExitCode, Is.Zero, asOperator.ToString());
        Assert.That(JsonDocument.Parse(asOperator.Stdout).RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("username").GetString()), Does.Contain("admin"));
        Assert.That(elsewhere.ExitCode, Is.Not.Zero);
        Assert.That(elsewhere.Stderr, Does.Contain("not logged in"));
    }

    private Task<(string Access, string Refresh)> AdminAsync() => AuthClient.TokensAsync(Lead, "admin", _adminPassword);

    private async Task CreateUserAsync(string name, string password, string role)
    {
        var (admin, _) = await AdminAsync();
        var (status, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/users", new { username = name, password, roles = new[] { role } }, admin);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Conflict), body.ToString());
    }

    private static JsonElement Header(string token) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement;
}
