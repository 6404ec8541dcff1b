using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Services;

/// <summary>
/// Binds the Router methods of the generated contract to <see cref="RouterService"/>, with request
/// marshallers that answer bytes that are not a valid message with INVALID_ARGUMENT and a plain
/// message. (Bound through the generated base, grpc-dotnet answers UNKNOWN "Exception was thrown by
/// handler." and logs an error for every such request.)
/// </summary>
internal sealed class RouterServiceMethodProvider : IServiceMethodProvider<RouterService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<RouterService> context) =>
        Router.BindService(new Binder(context), null!);

    private static Marshaller<T> Strict<T>(Marshaller<T> inner) =>
        new(inner.ContextualSerializer, deserializationContext =>
        {
            try
            {
                return inner.ContextualDeserializer(deserializationContext);
            }
            catch (InvalidProtocolBufferException)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"The request bytes are not a valid semantic_router.v1.{typeof(T).Name} protobuf message."));
            }
        });

    private sealed class Binder(ServiceMethodProviderContext<RouterService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var target = typeof(RouterService).GetMethod(method.Name, [typeof(TRequest), typeof(ServerCallContext)])
                ?? throw new InvalidOperationException($"RouterService does not implement {method.FullName}.");
            var invoke = target.CreateDelegate<Func<RouterService, TRequest, ServerCallContext, Task<TResponse>>>();
            var strict = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, Strict(method.RequestMarshaller), method.ResponseMarshaller);
            context.AddUnaryMethod(strict, [], (service, request, callContext) => invoke(service, request, callContext));
        }
    }
}
