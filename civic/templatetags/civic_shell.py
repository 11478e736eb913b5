"""Template tags of the shell: ``{% render_panel panel %}`` renders a home panel's template
with its context, inside the page's context (as ``{% include %}`` would)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel) -> str:
    chosen = context.template.engine.get_template(panel.template)
    with context.push(panel=panel, **panel.context):
        return chosen.render(context)
