using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Newtonsoft.Json;

namespace Mailmig.Lab.DurableEngine;

/// <summary>
/// Everything a task hub holds in storage, as text: every entity of its tables (History,
/// Instances, partitions), every message still in its queues (control, work items) and every blob
/// of its containers (leases, large messages, decompressed). What the tests scan for secrets and
/// count history rows in. Usage: <c>MailmigDurableHost inventory &lt;out.json&gt;</c>.
/// </summary>
public static class HubInventory
{
    public sealed class Dump
    {
        public Dictionary<string, List<Dictionary<string, string>>> Tables { get; } = new();
        public Dictionary<string, List<string>> Queues { get; } = new();
        public Dictionary<string, string> Blobs { get; } = new();
    }

    public static async Task WriteAsync(string connectionString, string hub, string outFile)
    {
        var dump = new Dump();
        var tables = new TableServiceClient(connectionString);
        await foreach (var t in tables.QueryAsync())
        {
            if (!t.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase)) continue;
            var rows = new List<Dictionary<string, string>>();
            await foreach (var e in tables.GetTableClient(t.Name).QueryAsync<TableEntity>())
                rows.Add(e.ToDictionary(p => p.Key, p => p.Value switch
                {
                    null => "",
                    byte[] bytes => Text(bytes),
                    DateTimeOffset d => d.ToString("o"),
                    _ => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture),
                }));
            dump.Tables[t.Name] = rows;
        }
        // Queue and container names are the hub name in lower case (DTFx), followed by '-'.
        string prefix = hub.ToLowerInvariant() + "-";
        var queues = new QueueServiceClient(connectionString);
        await foreach (var q in queues.GetQueuesAsync(prefix: prefix))
        {
            var peeked = await queues.GetQueueClient(q.Name).PeekMessagesAsync(maxMessages: 32);
            dump.Queues[q.Name] = peeked.Value.Select(m => m.Body.ToString()).ToList();
        }
        var blobs = new BlobServiceClient(connectionString);
        await foreach (var c in blobs.GetBlobContainersAsync(prefix: prefix))
        {
            var container = blobs.GetBlobContainerClient(c.Name);
            await foreach (var b in container.GetBlobsAsync())
            {
                var content = await container.GetBlobClient(b.Name).DownloadContentAsync();
                dump.Blobs[$"{c.Name}/{b.Name}"] = Text(content.Value.Content.ToArray());
            }
        }
        await File.WriteAllTextAsync(outFile, JsonConvert.SerializeObject(dump));
    }

    /// <summary>Large messages are stored gzip-compressed: scanned as what they hold.</summary>
    private static string Text(byte[] bytes)
    {
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        return Encoding.UTF8.GetString(bytes);
    }
}
