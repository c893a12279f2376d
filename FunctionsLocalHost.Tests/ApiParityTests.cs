using System.Reflection;
using System.Runtime.InteropServices;

using Microsoft.AspNetCore.Builder;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// The compatibility layer's worker types against the real worker packages (read, never loaded): every public type
/// we declare exists there with the same shape, and every public member we declare exists with the same signature.
/// </summary>
public sealed class ApiParityTests
{
    private static readonly string[] PreferredFrameworks = ["net10.0", "net9.0", "net8.0", "net6.0", "netstandard2.1", "netstandard2.0"];

    [Fact]
    public void Every_mirrored_worker_type_and_member_exists_in_the_real_packages_with_the_same_signature()
    {
        var realAssemblyPaths = RealAssemblyPaths();
        Assert.Equal(6, realAssemblyPaths.Count);
        var resolverPaths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(Path.GetDirectoryName(typeof(WebApplication).Assembly.Location)!, "*.dll"))
            .Concat(realAssemblyPaths)
            .Concat(Directory.GetFiles(Path.GetDirectoryName(typeof(Azure.Storage.Queues.QueueClient).Assembly.Location)!, "*.dll"))
            .DistinctBy(Path.GetFileName);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(resolverPaths));
        var real = realAssemblyPaths.Select(context.LoadFromAssemblyPath).ToList();

        var ours = typeof(LocalFunctionsApplication).Assembly.GetExportedTypes()
            .Where(t => t.Namespace?.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(ours);

        var differences = new List<string>();
        foreach (var type in ours)
        {
            var match = real.Select(a => a.GetType(type.FullName!)).FirstOrDefault(t => t is { IsPublic: true });
            if (match is null)
            {
                differences.Add($"{type.FullName}: no public type of that name in the real packages");
                continue;
            }

            Compare(type, match, differences);
        }

        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    private static void Compare(Type ours, Type real, List<string> differences)
    {
        void Same<T>(string what, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs))
            {
                differences.Add($"{ours.FullName}: {what} is {mine} here, {theirs} in the real package");
            }
        }

        Same("kind", Kind(ours), Kind(real));
        Same("base type", ours.BaseType is null ? null : Name(ours.BaseType), real.BaseType is null ? null : Name(real.BaseType));
        Same("sealed", ours.IsSealed, real.IsSealed);
        Same("abstract", ours.IsAbstract, real.IsAbstract);

        const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var realMembers = real.GetConstructors(Declared).Select(Signature)
            .Concat(real.GetMethods(Declared).Where(m => !m.IsSpecialName).Select(SafeSignature))
            .Concat(real.GetProperties(Declared).Select(Signature))
            .Concat(real.GetFields(Declared).Select(Signature))
            .ToHashSet(StringComparer.Ordinal);
        var ourMembers = ours.GetConstructors(Declared).Select(Signature)
            .Concat(ours.GetMethods(Declared).Where(m => !m.IsSpecialName).Select(Signature))
            .Concat(ours.GetProperties(Declared).Select(Signature))
            .Concat(ours.GetFields(Declared).Select(Signature));
        foreach (var member in ourMembers.Where(m => !realMembers.Contains(m)))
        {
            differences.Add($"{ours.FullName}: '{member}' is not in the real package");
        }
    }

    private static string Kind(Type type)
        => type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : "class";

    private static string SafeSignature(MethodInfo method)
    {
        try
        {
            return Signature(method);
        }
        catch (FileNotFoundException ex)
        {
            // A member whose signature names an assembly the test does not resolve cannot be one of ours.
            return $"unresolved {method.Name}: {ex.FileName}";
        }
    }

    private static string Signature(ConstructorInfo constructor) => $"{Static(constructor)}.ctor({Parameters(constructor)})";

    private static string Signature(MethodInfo method)
        => $"{Static(method)}{Name(method.ReturnType)} {method.Name}{(method.IsGenericMethodDefinition ? $"<{method.GetGenericArguments().Length}>" : "")}({Parameters(method)})";

    private static string Signature(PropertyInfo property)
        => $"{Name(property.PropertyType)} {property.Name} {{ {(property.GetGetMethod() is null ? "" : "get; ")}{(property.GetSetMethod() is null ? "" : "set; ")}}}";

    private static string Signature(FieldInfo field)
        => $"{(field.IsStatic ? "static " : "")}{Name(field.FieldType)} {field.Name}{(field.IsLiteral ? $" = {field.GetRawConstantValue()}" : "")}";

    private static string Static(MethodBase method) => method.IsStatic ? "static " : "";

    private static string Parameters(MethodBase method)
        => string.Join(", ", method.GetParameters().Select(p =>
            $"{(p.GetCustomAttributesData().Any(a => a.AttributeType.Name == nameof(ParamArrayAttribute)) ? "params " : "")}{Name(p.ParameterType)}"));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return $"{Name(type.GetElementType()!)}[]";
        }

        if (type.IsByRef)
        {
            return $"{Name(type.GetElementType()!)}&";
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition().FullName!;
            return $"{definition[..definition.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
        }

        return type.FullName ?? type.Name;
    }

    /// <summary>The real assemblies: the best lib folder of each package restored for this project.</summary>
    private static List<string> RealAssemblyPaths()
        => typeof(ApiParityTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key == "WorkerPackage")
            .Select(a => a.Value!)
            .Select(package =>
            {
                Assert.True(Directory.Exists(package), $"The real worker package is not restored at '{package}'.");
                var framework = PreferredFrameworks.Select(f => Path.Combine(package, "lib", f)).First(Directory.Exists);
                var id = new DirectoryInfo(package).Parent!.Name;
                return Directory.GetFiles(framework, "*.dll").Single(f => Path.GetFileNameWithoutExtension(f).Equals(id, StringComparison.OrdinalIgnoreCase));
            })
            .ToList();
}
