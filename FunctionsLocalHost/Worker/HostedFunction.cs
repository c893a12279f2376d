using System.Text.Json;

using FunctionsLocalHost.Rpc;

namespace FunctionsLocalHost;

/// <summary>One binding of a function, read from the raw binding JSON the worker reports (as in functions.metadata).</summary>
internal sealed record FunctionBinding(string Name, string Type, BindingInfo.Types.Direction Direction, BindingInfo.Types.DataType? DataType, JsonElement Raw)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public string? Text(string property)
        => Property(property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public bool Flag(string property)
        => Property(property) is { } value
            && (value.ValueKind == JsonValueKind.True || value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var flag) && flag);

    public IReadOnlyList<string>? Texts(string property)
        => Property(property) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : null;

    /// <summary>Binding JSON is matched case-insensitively, as the host's binding metadata reader does.</summary>
    private JsonElement? Property(string name)
    {
        foreach (var property in Raw.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    internal static FunctionBinding Parse(string functionName, string json)
    {
        JsonElement raw;
        try
        {
            raw = JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Function '{functionName}': a binding is not valid JSON ({ex.Message}): {json}", ex);
        }

        var binding = new FunctionBinding(string.Empty, string.Empty, BindingInfo.Types.Direction.In, null, raw);
        var name = binding.Text("name");
        var type = binding.Text("type");
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(type))
        {
            throw new InvalidOperationException($"Function '{functionName}': a binding has no name or type: {json}");
        }

        var direction = binding.Text("direction")?.ToUpperInvariant() switch
        {
            null or "IN" => BindingInfo.Types.Direction.In,
            "OUT" => BindingInfo.Types.Direction.Out,
            "INOUT" => BindingInfo.Types.Direction.Inout,
            var other => throw new InvalidOperationException($"Function '{functionName}': binding '{name}' has an unknown direction '{other}'."),
        };
        BindingInfo.Types.DataType? dataType = binding.Text("dataType")?.ToUpperInvariant() switch
        {
            null => null,
            "STRING" => BindingInfo.Types.DataType.String,
            "BINARY" => BindingInfo.Types.DataType.Binary,
            "STREAM" => BindingInfo.Types.DataType.Stream,
            _ => BindingInfo.Types.DataType.Undefined,
        };
        return binding with { Name = name, Type = type, Direction = direction, DataType = dataType };
    }
}

/// <summary>A function as the worker indexed it: its metadata and parsed bindings.</summary>
internal sealed class HostedFunction
{
    private HostedFunction(RpcFunctionMetadata metadata, IReadOnlyList<FunctionBinding> bindings, FunctionBinding trigger)
    {
        Metadata = metadata;
        Bindings = bindings;
        Trigger = trigger;
    }

    public string Name => Metadata.Name;

    public string FunctionId => Metadata.FunctionId;

    public RpcFunctionMetadata Metadata { get; }

    public IReadOnlyList<FunctionBinding> Bindings { get; }

    public FunctionBinding Trigger { get; }

    public bool IsHttp => Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueue => Trigger.Type.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => Trigger.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The queue outputs, by binding name (<c>$return</c> for a function whose return value is the message).</summary>
    public IEnumerable<FunctionBinding> QueueOutputs
        => Bindings.Where(b => b.Direction != BindingInfo.Types.Direction.In && b.Type.Equals("queue", StringComparison.OrdinalIgnoreCase));

    internal static HostedFunction From(RpcFunctionMetadata metadata)
    {
        if (string.IsNullOrEmpty(metadata.Name))
        {
            throw new InvalidOperationException("The worker reported a function without a name.");
        }

        var bindings = metadata.RawBindings.Select(json => FunctionBinding.Parse(metadata.Name, json)).ToArray();
        var triggers = bindings.Where(b => b.IsTrigger && b.Direction == BindingInfo.Types.Direction.In).ToArray();
        if (triggers.Length != 1)
        {
            throw new InvalidOperationException($"Function '{metadata.Name}' has {triggers.Length} triggers; a function has exactly one.");
        }

        return new HostedFunction(metadata, bindings, triggers[0]);
    }

    /// <summary>
    /// The load request the Functions host sends: name, entry point, script file and the bindings as
    /// <see cref="BindingInfo"/> built from the raw bindings (type, direction, data type).
    /// </summary>
    internal FunctionLoadRequest LoadRequest()
    {
        var load = new RpcFunctionMetadata
        {
            Name = Metadata.Name,
            Directory = Metadata.Directory,
            EntryPoint = Metadata.EntryPoint,
            ScriptFile = Metadata.ScriptFile,
            IsProxy = false,
        };
        foreach (var binding in Bindings)
        {
            var info = new BindingInfo { Type = binding.Type, Direction = binding.Direction };
            if (binding.DataType is { } dataType)
            {
                info.DataType = dataType;
            }

            load.Bindings[binding.Name] = info;
        }

        foreach (var (key, value) in Metadata.Properties)
        {
            load.Properties[key] = value;
        }

        return new FunctionLoadRequest { FunctionId = FunctionId, Metadata = load };
    }
}
