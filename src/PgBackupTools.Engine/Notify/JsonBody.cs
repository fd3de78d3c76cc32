using System.Text;
using System.Text.Json.Nodes;

namespace PgBackupTools.Engine.Notify;

internal static class JsonBody
{
    /// <summary>The exact bytes that are sent (and, for the generic webhook, signed).</summary>
    public static byte[] ToUtf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
