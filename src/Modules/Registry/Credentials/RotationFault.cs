namespace AuroraNode.Modules.Registry.Credentials;

/// <summary>
/// A test hook, off unless the environment variable <see cref="Variable"/> names a holder (<c>auth</c>, <c>redis</c>,
/// <c>postgres</c>): right after that holder changed the mesh's servers, before the new values are saved, the process
/// kills itself (SIGKILL: no shutdown, nothing flushed), the interruption a <see cref="Credentials.CredentialRotation"/>
/// recovers from. No config key sets it; the integration tests set it on one node process.
/// </summary>
internal static class RotationFault
{
    public const string Variable = "AURORA_TEST_ROTATION_CRASH_AFTER";

    private static readonly string? CrashAfter = Environment.GetEnvironmentVariable(Variable);

    public static void CrashIfAskedAfter(string holder)
    {
        if (CrashAfter == holder)
        {
            Console.Error.WriteLine($"{Variable}={holder}: killing this node in the middle of the rotation");
            Console.Error.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    }
}
