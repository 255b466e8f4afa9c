"""API pieces shared by every workflow object (applications; later rectifications, terminations, …).

A workflow exposes itself in four steps (see ``ssc.admission.api`` for the complete example):

1. serializers: ``class XSerializer(WorkflowCaseSerializer)`` (lists: ``state``, ``state_display``,
   ``allowed_actions``, ``version``) and ``class XDetailSerializer(WorkflowCaseDetailMixin, XSerializer)``
   (adds ``history``, ``deadlines``, ``documents``), each with ``workflow = <the table>``;
2. ``class XViewSet(WorkflowCaseViewSet)`` declaring its scoped ``list_selector``, ``filter_class``, orderings and
   ``create_case`` (detail answers ``ETag``, creation 201 with ``ETag`` and ``Location``);
3. ``class XActionView(WorkflowActionView)`` with ``workflow``, ``resource``, ``response_serializer`` and
   ``case_viewset``; ``action_urlpatterns(XActionView, "api-x")`` gives one documented route per action, with
   ``If-Match`` (412) and ``Idempotency-Key`` handled;
4. register the viewset with the basename ``api-<case_type>`` (deadline lists link to ``api-<case_type>-detail``).

Deadlines and documents of the case are scoped through it (``scoping.visible_cases_q``) as soon as the workflow's
binding is registered with ``ssc.workflow.engine.register``.
"""
