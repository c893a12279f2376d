using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>
/// OpenAPI schemas from System.Text.Json's own schema exporter (the contract that writes the responses and reads the
/// requests), plus what the exporter cannot know: the rules on the records (lengths, ranges, <see cref="OneOfAttribute"/>),
/// formats, examples (<see cref="IExample{TSelf}"/>), and components: objects and enums become $refs.
/// </summary>
internal sealed class JsonSchemas(OpenApiDocument document, JsonSerializerOptions options)
{
    private static readonly Dictionary<Type, string> Formats = new() { [typeof(int)] = "int32", [typeof(long)] = "int64", [typeof(decimal)] = "decimal", [typeof(DateTime)] = "date-time" };

    /// <summary>What <see cref="EmailAddressAttribute"/> accepts: one @, neither first nor last, and no line break.</summary>
    public const string EmailPattern = "^[^@\\r\\n]+@[^@\\r\\n]+$";

    private readonly Dictionary<Type, string> _names = [];

    /// <summary>The serializer's options, read-only with a resolver (as <see cref="Json.Options"/> is), so that contracts can be read.</summary>
    public JsonSerializerOptions Options { get; } = options.IsReadOnly && options.TypeInfoResolver is not null ? options : throw new ArgumentException("Give read-only options with a resolver.", nameof(options));

    public IOpenApiSchema For(Type type) => Parse(Export(type, component: null));

    /// <summary>The schema of each property of a record, by its JSON name, with the property's rules and description.</summary>
    public JsonObject PropertiesOf(Type type) => Export(type, component: type)["properties"]!.AsObject();

    /// <summary>The example of a record, as the API writes it; null for a type without one.</summary>
    public JsonNode? ExampleOf(Type type) => type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IExample<>))
        ? JsonSerializer.SerializeToNode(type.GetProperty("Example")!.GetValue(null), type, Options)
        : null;

    public IOpenApiSchema Parse(JsonNode node)
    {
        if (node is JsonObject { Count: 1 } only && only["$ref"]?.GetValue<string>() is { } reference)
        {
            return new OpenApiSchemaReference(reference.Split('/')[^1], document);
        }

        return OpenApiModelFactory.Parse<OpenApiSchema>(node.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document, out _, "json")
            ?? throw new InvalidOperationException("Microsoft.OpenApi could not read the schema " + node.ToJsonString());
    }

    private JsonNode Export(Type type, Type? component) => Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = (context, node) => Transform(context, node, component),
    });

    private JsonObject Transform(JsonSchemaExporterContext context, JsonNode node, Type? component)
    {
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        var schema = node as JsonObject ?? [];
        var nullable = type != context.TypeInfo.Type || IsNullable(schema);
        if ((type.IsEnum || (context.TypeInfo.Kind == JsonTypeInfoKind.Object && type != typeof(object))) && !(type == component && context.Path.IsEmpty))
        {
            var reference = new JsonObject { ["$ref"] = "#/components/schemas/" + Component(type) };
            return nullable ? OrNull(reference) : reference;
        }

        // A constants class's values are one named enum, referenced wherever a property takes them.
        var rules = context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(inherit: true) ?? [];
        if (rules.OfType<OneOfAttribute>().SingleOrDefault() is { } oneOf)
        {
            var reference = new JsonObject { ["$ref"] = "#/components/schemas/" + EnumComponent(oneOf) };
            var description = rules.OfType<DescriptionAttribute>().SingleOrDefault()?.Description;
            var property = nullable ? OrNull(reference) : description is null ? reference : new JsonObject { ["allOf"] = new JsonArray(reference) };
            property["description"] = description;
            return WithoutNulls(property);
        }

        // The app's own converter writes times, so the exporter cannot see that they are strings.
        if (type == typeof(DateTime) || type.IsEnum)
        {
            schema["type"] = nullable && !type.IsEnum ? new JsonArray("string", "null") : "string";
        }

        if (Formats.TryGetValue(type, out var format))
        {
            schema["format"] = format;
            schema["multipleOf"] = type == typeof(decimal) ? 0.01m : null;
        }

        var array = type != typeof(string) && context.TypeInfo.Kind == JsonTypeInfoKind.Enumerable;
        foreach (var rule in rules)
        {
            Apply(schema, rule, array);
        }

        WithoutNulls(schema);

        if (type == component && ExampleOf(type) is { } example)
        {
            schema["example"] = example;
        }

        return schema;
    }

    private static void Apply(JsonObject schema, object rule, bool array)
    {
        switch (rule)
        {
            case StringLengthAttribute length:
                schema["minLength"] = length.MinimumLength > 0 ? length.MinimumLength : null;
                schema["maxLength"] = length.MaximumLength;
                break;
            case LengthAttribute length:
                schema[array ? "minItems" : "minLength"] = length.MinimumLength;
                schema[array ? "maxItems" : "maxLength"] = length.MaximumLength;
                break;
            case RangeAttribute range:
                // A bound at the type's own limit (long.MaxValue as a double, 9.2e18) says nothing the format does not.
                var culture = System.Globalization.CultureInfo.InvariantCulture;
                schema[range.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = Convert.ToDecimal(range.Minimum, culture);
                schema["maximum"] = Convert.ToDouble(range.Maximum, culture) < 9e15 ? Convert.ToDecimal(range.Maximum, culture) : null;
                break;
            case DescriptionAttribute description:
                schema["description"] = description.Description;
                break;
            case EmailAddressAttribute:
                // What EmailAddressAttribute accepts, as a pattern: generators know patterns, and Kiota warns on format email.
                schema["pattern"] = EmailPattern;
                break;
        }
    }

    /// <summary>
    /// A reference that may be null, as OpenAPI 3.1 (JSON Schema) says it: the referenced schema or null. Generators
    /// read it as the referenced type, nullable; no enum gets a null member.
    /// </summary>
    private static JsonObject OrNull(JsonObject reference) => new() { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) };

    /// <summary>Removes the members whose value is null (a rule that does not apply), and returns the object.</summary>
    private static JsonObject WithoutNulls(JsonObject schema)
    {
        foreach (var key in schema.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            schema.Remove(key);
        }

        return schema;
    }

    private static bool IsNullable(JsonObject schema) => schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null");

    /// <summary>The enum component of a constants class, written to the document the first time it is asked for.</summary>
    private string EnumComponent(OneOfAttribute oneOf)
    {
        var name = oneOf.SchemaName;
        if (!document.Components!.Schemas!.ContainsKey(name))
        {
            document.Components.Schemas[name] = Parse(WithoutNulls(new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray([.. oneOf.Values.Select(v => JsonValue.Create(v))]),
                ["description"] = oneOf.Constants.GetCustomAttribute<DescriptionAttribute>()?.Description,
            }));
        }

        return name;
    }

    /// <summary>The component name of a type, written to the document the first time it is asked for.</summary>
    private string Component(Type type)
    {
        if (_names.TryGetValue(type, out var name))
        {
            return name;
        }

        name = Name(type);
        _names[type] = _names.ContainsValue(name) ? type.Namespace?.Split('.')[^1] + name : name;
        document.Components!.Schemas![_names[type]] = Parse(Export(type, component: type));
        return _names[type];
    }

    // PagedList<MovieResponse> is MoviePage; the app has no other generic record.
    private static string Name(Type type) => type.IsConstructedGenericType && type.GetGenericTypeDefinition() == typeof(PagedList<>)
        ? Name(type.GetGenericArguments()[0]).Replace("Response", "", StringComparison.Ordinal) + "Page"
        : type.IsGenericType ? throw new NotSupportedException($"Name the component of {type}.") : type.Name;
}
