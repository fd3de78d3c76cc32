using System.Net.Http.Headers;
using System.Net.Sockets;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// POSTs a JSON body for the webhook-style channels through one shared HttpClient (pooled connections, no socket
/// exhaustion) and turns every failure into a NotificationDeliveryException that names the endpoint but never
/// the path or query, where webhook URLs and bot tokens keep their secrets.
/// </summary>
internal static class HttpDelivery
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private const int MaxBodyInMessage = 300;

    // The timeout is applied per request (a linked token), so tests and configs can choose it; the client's own
    // timeout is off.
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Posts a JSON payload to a webhook whose address is itself the secret (Slack, Teams).</summary>
    public static Task PostToSecretWebhookAsync(Uri webhook, System.Text.Json.Nodes.JsonObject payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        PostAsync(webhook, JsonBody.ToUtf8(payload), new Dictionary<string, string>(), timeout, [webhook.PathAndQuery], cancellationToken);

    public static async Task PostAsync(
        Uri uri,
        byte[] body,
        IReadOnlyDictionary<string, string> headers,
        TimeSpan timeout,
        IReadOnlyCollection<string?> secrets,
        CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(uri);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("PgBackupTools/" + EngineInfo.Version);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadAsStringAsync(timeoutSource.Token).ConfigureAwait(false);
                var snippet = AlertText.Truncate(answer.ReplaceLineEndings(" ").Trim(), MaxBodyInMessage);
                throw Failure(
                    $"{endpoint} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(snippet.Length > 0 ? ": " + snippet : "")}",
                    secrets);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"{endpoint} did not answer within {timeout.TotalSeconds:0.#} s", secrets);
        }
        catch (HttpRequestException ex)
        {
            throw Failure($"could not reach {endpoint}: {Innermost(ex)}", secrets);
        }
    }

    /// <summary>scheme://host:port only: the path of a Slack/Teams webhook and a Telegram URL are credentials.</summary>
    public static string Endpoint(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string Innermost(Exception ex)
    {
        var socket = ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        if (socket is not null)
        {
            return socket.Message;
        }

        return ex.InnerException?.Message ?? ex.Message;
    }

    private static NotificationDeliveryException Failure(string message, IReadOnlyCollection<string?> secrets) =>
        new(SecretRedactor.Redact(message, secrets));
}
