using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace Mailmig.Lab.DurableEngine;

/// <summary>
/// One WebJobs function per orchestrator and activity the worker registered, as the Functions
/// host generates for a script language. The orchestrator shim takes its trigger as a string:
/// that is what makes the extension run it out-of-proc and hand over the same JSON context the
/// Node worker gets (OrchestrationTriggerAttributeBindingProvider). HTTP and blob triggers are not
/// bound here: the tests call those handlers in the worker, with this engine's durable client.
/// </summary>
public static class FunctionShims
{
    public static Type Emit(IEnumerable<WorkerFunction> functions)
    {
        var module = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("MailmigShims"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("MailmigShims");
        var type = module.DefineType("MailmigShims.Functions", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        int n = 0;
        foreach (var f in functions)
        {
            switch (f.Trigger)
            {
                case "orchestrationTrigger":
                    Define(type, $"Orchestrator{n++}", f.Name, typeof(string), typeof(OrchestrationTriggerAttribute), nameof(WorkerBridge.InvokeOrchestrator));
                    break;
                case "activityTrigger":
                    Define(type, $"Activity{n++}", f.Name, typeof(Task<JToken>), typeof(ActivityTriggerAttribute), nameof(WorkerBridge.InvokeActivity));
                    break;
            }
        }
        return type.CreateType();
    }

    private static void Define(TypeBuilder type, string methodName, string functionName, Type returns, Type trigger, string target)
    {
        var method = type.DefineMethod(methodName, MethodAttributes.Public | MethodAttributes.Static, returns, new[] { typeof(string) });
        method.DefineParameter(1, ParameterAttributes.None, "trigger")
            .SetCustomAttribute(new CustomAttributeBuilder(trigger.GetConstructor(Type.EmptyTypes), Array.Empty<object>()));
        method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionNameAttribute).GetConstructor(new[] { typeof(string) }), new object[] { functionName }));
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldstr, functionName);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(WorkerBridge).GetMethod(target));
        il.Emit(OpCodes.Ret);
    }
}
