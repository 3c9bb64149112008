from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import providers
from tests.spec_contracts import FLAGS


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(providers) if not name.startswith("_")}
    modules = {name for name, value in vars(providers).items() if inspect.ismodule(value)}
    assert set(providers.__all__) - {"__version__"} == public - modules
    assert len(providers.__all__) == len(set(providers.__all__))


PUBLIC_API = {
    "AbstractProvider", "Aichat", "AsyncGeneratorProvider", "AsyncProvider", "BaseProvider", "ChatAnywhere",
    "ChatCompletion", "ChatGptEs", "EasyChat", "Equing", "InvalidArgumentError", "InvalidArgumentTypeError",
    "InvalidMessagesError", "InvalidRequestError", "Message", "Messages", "MissingCookiesError",
    "MissingRequirementsError", "ModelNotSupportedError", "ProviderConnectionError", "ProviderError",
    "ProviderModelMixin", "ProviderTimeoutError", "RateLimitError", "ResponseError", "ResponseFormatError",
    "StatusError", "TransportError", "UnknownArgumentWarning", "UpstreamRejectedError", "__version__",
    "all_providers", "format_prompt", "get", "network_overrides",
}  # fmt: skip
#: What every provider class offers, besides the three calling styles.
PROVIDER_API = {
    "url", "working", "needs_auth", "supports_stream", "supports_gpt_35_turbo", "supports_gpt_4",
    "supports_message_history", "supports_system_message", "default_model", "models", "model_aliases",
    "get_model", "params", "default_timeout", "accepted_options",
}  # fmt: skip


def test_the_public_api_is_pinned() -> None:
    """A change here is a change of the public API: update the README and the release notes with it."""
    assert set(providers.__all__) == PUBLIC_API
    for provider in providers.all_providers():
        assert all(hasattr(provider, name) for name in PROVIDER_API), provider.__name__


def test_registry_holds_the_five_providers_by_definition() -> None:
    assert [p.__name__ for p in providers.all_providers()] == [
        "Aichat",
        "ChatAnywhere",
        "ChatGptEs",
        "EasyChat",
        "Equing",
    ]
    assert providers.get("easychat") is providers.EasyChat
    assert providers.get("CHATGPTES") is providers.ChatGptEs


def test_star_import_does_not_shadow_builtins() -> None:
    namespace: dict[str, object] = {}
    exec("from providers import *", namespace)
    import builtins

    shadowed = {name for name in namespace if name != "__builtins__" and hasattr(builtins, name)}
    assert shadowed == set()
    assert "all_providers" in namespace


def test_all_still_works_for_one_release_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="all_providers"):
        listed = providers.all()
    assert listed == providers.all_providers()


def test_registry_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known providers: Aichat"):
        providers.get("nope")


def test_defining_a_provider_registers_it_and_a_name_clash_is_refused() -> None:
    from providers import registry

    class Toy(providers.AsyncProvider):
        url = "https://toy.invalid"

    try:
        assert providers.get("toy") is Toy
        with pytest.raises(ValueError, match="already registered"):

            class Toy(providers.AsyncProvider):  # type: ignore[no-redef]
                url = "https://other.invalid"
    finally:
        registry._providers.pop("toy")


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_documented_class_flags(name: str) -> None:
    provider = providers.get(name)
    for flag, value in FLAGS[name].items():
        assert getattr(provider, flag) == value, flag


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_params_describes_the_call(name: str) -> None:
    provider = providers.get(name)
    assert provider.params.startswith(f"providers.{name.lower()}.{name} supports: (")
    assert "model: str" in provider.params and "messages: Messages" in provider.params
    assert ("stream: bool" in provider.params) == provider.supports_stream


@pytest.mark.parametrize(
    ("name", "native"),
    [
        ("EasyChat", "create_completion"),
        ("Equing", "create_completion"),
        ("Aichat", "create_async"),
        ("ChatAnywhere", "create_async_generator"),
        ("ChatGptEs", "create_async_generator"),
    ],
)
def test_each_provider_implements_only_its_native_style(name: str, native: str) -> None:
    provider = providers.get(name)
    styles = {"create_completion", "create_async", "create_async_generator"}
    assert {style for style in styles if style in vars(provider)} == {native}


def test_import_does_not_load_curl_cffi() -> None:
    code = "import sys, providers; print('curl_cffi' in sys.modules, 'httpx_curl_cffi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_a_provider_defined_later_gets_its_params_and_registers_once() -> None:
    from providers import registry

    class Probe(providers.AbstractProvider):
        url = "https://probe.invalid"
        supports_stream = True
        option_types = {"temperature": "float"}  # noqa: RUF012

    try:
        assert Probe.params == (
            f"{__name__}.Probe supports: (\n"
            "    model: str,\n    messages: Messages,\n    stream: bool,\n"
            "    proxy: str,\n    timeout: float,\n    verify: bool,\n    temperature: float,\n)"
        )
        registry.register(Probe)  # the same class again is no clash
        assert providers.get("PROBE") is Probe

        class Quiet(providers.AsyncProvider):
            url = "https://quiet.invalid"

        assert "stream: bool" not in Quiet.params
        assert Quiet.params.endswith("    verify: bool,\n)")
    finally:
        registry._providers.pop("probe")
        registry._providers.pop("quiet", None)


def test_a_gpt4free_style_provider_resolves_its_aliases() -> None:
    from providers import registry

    class Aliased(providers.AsyncProvider, providers.ProviderModelMixin):
        url = "https://aliased.invalid"
        default_model = "big"
        models = ["big", "small"]  # noqa: RUF012
        model_aliases = {"s": "small"}  # noqa: RUF012

    try:
        assert (Aliased.get_model("s"), Aliased.get_model(""), Aliased.get_model("big")) == (
            "small",
            "big",
            "big",
        )
        with pytest.raises(
            providers.ModelNotSupportedError,
            match="model 'tiny' is not supported; supported models: big, small",
        ):
            Aliased.get_model("tiny")
    finally:
        registry._providers.pop("aliased")


def test_an_unknown_attribute_of_the_package_is_named() -> None:
    with pytest.raises(AttributeError, match="module 'providers' has no attribute 'nope'"):
        providers.nope  # noqa: B018


def test_the_deprecation_warning_says_what_to_use_and_points_at_the_caller() -> None:
    with pytest.warns(DeprecationWarning) as warned:
        providers.all()
    assert str(warned[0].message) == (
        "providers.all() is deprecated and will be removed in the next release; use providers.all_providers()"
    )
    assert warned[0].filename == __file__
