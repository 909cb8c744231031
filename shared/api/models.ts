/** Models, training, adaptation, detection and review (issue 5 fills this in). */
export const modelsMethods = {};
