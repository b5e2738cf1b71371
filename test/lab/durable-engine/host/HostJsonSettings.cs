using Newtonsoft.Json.Linq;

namespace Mailmig.Lab.DurableEngine;

/// <summary>
/// host.json's <c>extensions.durableTask</c> section as configuration keys under the WebJobs
/// root (<c>AzureWebJobs:extensions:durableTask:…</c>), where the extension binds its options
/// from, as the Functions host does with the same file. So hubName, partitionCount, concurrency
/// and polling come from the project's host.json: a wrong value there shows up in the lab.
/// </summary>
public static class HostJsonSettings
{
    public const string Section = "AzureWebJobs:extensions:durableTask";

    public static Dictionary<string, string> Read(string hostJsonPath)
    {
        var root = JObject.Parse(File.ReadAllText(hostJsonPath));
        var section = root.SelectToken("extensions.durableTask") as JObject
            ?? throw new InvalidDataException($"{hostJsonPath} has no extensions.durableTask section");
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Flatten(section, Section, keys);
        return keys;
    }

    private static void Flatten(JToken token, string path, Dictionary<string, string> keys)
    {
        switch (token)
        {
            case JObject o:
                foreach (var p in o.Properties()) Flatten(p.Value, $"{path}:{p.Name}", keys);
                break;
            case JArray a:
                for (int i = 0; i < a.Count; i++) Flatten(a[i], $"{path}:{i}", keys);
                break;
            case JValue v when v.Type != JTokenType.Null:
                keys[path] = v.Type == JTokenType.Boolean ? v.ToString().ToLowerInvariant() : Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
    }
}
