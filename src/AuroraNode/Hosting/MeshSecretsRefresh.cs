using System.Net;
using AuroraNode.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using ILogger = Serilog.ILogger;

namespace AuroraNode.Hosting;

/// <summary>
/// A node that joined asks the lead for the mesh's current passwords before its servers start (one signed request):
/// when they were rotated while it was down (a node was revoked), its Redis, Sentinel and PostgreSQL replica would
/// otherwise start with passwords the mesh no longer accepts. A lead that does not answer is no reason not to start:
/// the node starts with what it has and fetches later (<c>mesh_credentials_rotated</c>, or the version in Redis).
/// </summary>
internal static class MeshSecretsRefresh
{
    public static async Task RefreshAsync(NodeSettings settings, NodeCredentials credentials, NodeSigningKey key, ILogger logger, CancellationToken ct)
    {
        if (settings.Node.LeadUrl is not { } lead || credentials.Get(CredentialKeys.MeshId) is null)
        {
            return;
        }

        var current = MeshSecrets.Read(credentials);
        using var client = new MeshSecretsClient(key, TimeProvider.System);
        try
        {
            var fetched = await client.FetchAsync(lead, ct);
            if (fetched.Version <= current.Version)
            {
                return;
            }

            credentials.SetAll(fetched.WithValuesOf(current, MeshSecrets.Keys.Where(k => fetched[k] is null)).ToCredentials());
            logger.Warning("The mesh's passwords were rotated while this node was away; fetched version {Version} from {LeadUrl}", fetched.Version, lead);
        }
        catch (MeshSecretsFetchException ex) when (ex.Status is HttpStatusCode.Unauthorized)
        {
            logger.Error("The lead at {LeadUrl} refuses this node's signed requests ({Reason}); if it was revoked, join it again with a new token", lead, ex.Message);
        }
        catch (MeshSecretsFetchException ex)
        {
            logger.Information("Could not check the mesh's passwords with the lead ({Reason}); starting with those this node has", ex.Message);
        }
    }
}
